#!/usr/bin/env python3
"""Checks that the project's proto/ files are wire-identical to appendix A of Keboola's protocol
(tests/proto/appendix-a.txt, copied verbatim from the spec): every message, field number, type,
label, enum value and oneof. Reads a FileDescriptorSet built by protoc --include_imports."""
import sys
from google.protobuf import descriptor_pb2

T = descriptor_pb2.FieldDescriptorProto
SCALARS = {T.TYPE_STRING: "string", T.TYPE_BOOL: "bool", T.TYPE_INT32: "int32", T.TYPE_INT64: "int64",
           T.TYPE_UINT32: "uint32", T.TYPE_UINT64: "uint64", T.TYPE_DOUBLE: "double", T.TYPE_FLOAT: "float",
           T.TYPE_BYTES: "bytes", T.TYPE_SINT32: "sint32", T.TYPE_SINT64: "sint64"}


def short(type_name, pkg):
    n = type_name.lstrip(".")
    if n == "google.protobuf.Any":
        return "Any"
    if n == "google.protobuf.Value":
        return "Value"
    if n.startswith(pkg + "."):
        return n[len(pkg) + 1:]
    return n


def render(fds):
    out = []
    for f in fds.file:
        if not f.name.startswith("proto/") or f.name == "proto/service.proto":
            continue
        out.append(f"## {f.name} (package {f.package})")
        pkg = f.package

        def enum_line(e, prefix):
            vals = ", ".join(f"{v.name}={v.number}" for v in e.value)
            return f"{prefix}{e.name} enum: {vals}"

        def msg(m, prefix):
            if m.options.map_entry:
                return
            name = prefix + m.name
            maps = {n.name: n for n in m.nested_type if n.options.map_entry}
            parts = []
            for fld in m.field:
                if fld.type in (T.TYPE_MESSAGE, T.TYPE_ENUM):
                    tn = short(fld.type_name, pkg)
                    entry = tn.split(".")[-1]
                    if entry in maps and fld.label == T.LABEL_REPEATED:
                        e = maps[entry]
                        k, v = e.field[0], e.field[1]
                        parts.append(f"{fld.name}={fld.number} map<{SCALARS[k.type]},{SCALARS[v.type]}>")
                        continue
                else:
                    tn = SCALARS[fld.type]
                s = f"{fld.name}={fld.number} "
                if fld.label == T.LABEL_REPEATED:
                    s += "repeated "
                s += tn
                if fld.HasField("oneof_index") and not fld.proto3_optional:
                    s += f" (oneof {m.oneof_decl[fld.oneof_index].name})"
                if fld.options.deprecated:
                    s += " [deprecated]"
                parts.append(s)
            out.append(f"{name}: " + ("; ".join(parts) if parts else "(no fields)"))
            for e in m.enum_type:
                out.append(enum_line(e, name + "."))
            for n in m.nested_type:
                msg(n, name + ".")
        for e in f.enum_type:
            out.append(enum_line(e, ""))
        for m in f.message_type:
            msg(m, "")
    return out


def canon(lines):
    """Order-insensitive comparison: per message, the set of field/enum items."""
    res = {}
    section = None
    for ln in lines:
        ln = ln.strip()
        if not ln:
            continue
        if ln.startswith("## "):
            section = ln
            res.setdefault(section, {})
            continue
        head, _, body = ln.partition(": ")
        if head.endswith(" enum"):
            items = frozenset(x.strip() for x in body.split(","))
        else:
            items = frozenset(x.strip() for x in body.split(";")) if body != "(no fields)" else frozenset()
        res[section][head] = items
    return res


def main():
    fds = descriptor_pb2.FileDescriptorSet()
    with open(sys.argv[1], "rb") as fh:
        fds.ParseFromString(fh.read())
    with open(sys.argv[2]) as fh:
        want = canon(fh.read().splitlines())
    got = canon(render(fds))
    bad = 0
    for sec in sorted(set(want) | set(got)):
        w, g = want.get(sec, {}), got.get(sec, {})
        for name in sorted(set(w) | set(g)):
            if w.get(name) != g.get(name):
                bad += 1
                print(f"MISMATCH {sec} {name}\n  appendix: {sorted(w.get(name, []))}\n  proto/:   {sorted(g.get(name, []))}")
    n = sum(len(v) for v in want.values())
    if bad:
        print(f"FAIL: {bad} of {n} messages/enums differ from appendix A")
        return 1
    print(f"ok: {n} messages and enums match appendix A")
    return 0


if __name__ == "__main__":
    sys.exit(main())
