#!/usr/bin/env python3
"""bench/metadata.py: metadata command benchmark (issue 3). Run through bench/metadata.sh.

  1. ObjectInfo SCHEMA on a bucket holding 5,000 tables (BENCH_TABLES): computed (after a write) and
     repeated (from the versioned cache), sequential calls.
  2. ObjectInfo TABLE: the first call per table (computed) sequentially, then repeated calls (answered from
     the versioned cache) at 8 concurrent calls with bench/rpc_load, and Health/Check in the same run: ratio.
  3. 10,000 tables across 100 projects (BENCH_PROJECTS x BENCH_PER_PROJECT): total time, RSS after.
Not a test: it prints numbers and ratios, nothing passes or fails."""
import os
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from benchlib import EXECUTE, HEALTH, Server, load, request
from proto import bucket_pb2, info_pb2, project_pb2, table_pb2

TABLES = int(os.environ.get("BENCH_TABLES", "5000"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "100"))
PER_PROJECT = int(os.environ.get("BENCH_PER_PROJECT", "100"))
COLS = [table_pb2.TableColumnShared(name="id", type="INTEGER"),
        table_pb2.TableColumnShared(name="name", type="STRING", length="255", nullable=True),
        table_pb2.TableColumnShared(name="amount", type="NUMERIC", length="12,2", nullable=True),
        table_pb2.TableColumnShared(name="created", type="TIMESTAMP", nullable=True)]


def new_project(srv, pid):
    r = srv.execute(project_pb2.CreateProjectCommand(projectId=pid))
    resp = project_pb2.CreateProjectResponse()
    r.commandResponse.Unpack(resp)
    return resp.projectPassword


def create_tables(srv, pid, key, schema, n, threads=4):
    def one(i):
        srv.execute(table_pb2.CreateTableCommand(path=[schema], tableName=f"t{i}", columns=COLS,
                                                 primaryKeysNames=["id"]), key=key, host=pid)
    with ThreadPoolExecutor(threads) as ex:
        list(ex.map(one, range(n)))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main():
    tmp = tempfile.mkdtemp(prefix="duckstore-bench-")
    srv = Server(os.path.join(tmp, "data"), "bench-admin-" + os.urandom(8).hex())
    try:
        pid = "big"
        key = new_project(srv, pid)
        srv.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-big"), key=key, host=pid)
        t0 = time.time()
        create_tables(srv, pid, key, "in_c_big", TABLES)
        created = time.time() - t0
        print(f"created {TABLES} tables in one bucket in {created:.1f} s ({TABLES / created:.0f} tables/s, "
              f"4 client threads)")

        computed = []
        for _ in range(20):  # a no-op write (DropDevBranch without a role) makes the next answer be computed
            srv.execute(project_pb2.DropDevBranchCommand(), key=key, host=pid)
            t = time.perf_counter()
            srv.execute(info_pb2.ObjectInfoCommand(path=["in_c_big"], expectedObjectType=info_pb2.SCHEMA),
                        key=key, host=pid)
            computed.append((time.perf_counter() - t) * 1e3)
        print(f"ObjectInfo SCHEMA ({TABLES} tables), computed after a write: p50 {statistics.median(computed):.2f} ms, "
              f"max {max(computed):.2f} ms (target p50 < 10 ms)")
        lat = []
        for _ in range(200):
            t = time.perf_counter()
            r = srv.execute(info_pb2.ObjectInfoCommand(path=["in_c_big"], expectedObjectType=info_pb2.SCHEMA),
                            key=key, host=pid)
            lat.append((time.perf_counter() - t) * 1e3)
        resp = info_pb2.ObjectInfoResponse()
        r.commandResponse.Unpack(resp)
        assert len(resp.schemaInfo.objects) == TABLES
        print(f"ObjectInfo SCHEMA ({TABLES} tables), repeated (cached): p50 {statistics.median(lat):.2f} ms, "
              f"p99 {pct(lat, 0.99):.2f} ms")

        cold = []
        for i in range(200):  # the first call for each table computes the answer (no cached copy yet)
            t = time.perf_counter()
            srv.execute(info_pb2.ObjectInfoCommand(path=["in_c_big", f"t{i}"], expectedObjectType=info_pb2.TABLE),
                        key=key, host=pid)
            cold.append((time.perf_counter() - t) * 1e3)
        print(f"ObjectInfo TABLE, first call per table (computed, not cached): p50 {statistics.median(cold):.2f} ms, "
              f"p99 {pct(cold, 0.99):.2f} ms, sequential")

        payload = os.path.join(tmp, "objectinfo_table.bin")
        with open(payload, "wb") as f:
            f.write(request(info_pb2.ObjectInfoCommand(path=["in_c_big", "t42"], expectedObjectType=info_pb2.TABLE),
                            key, pid).SerializeToString())
        health = os.path.join(tmp, "health.bin")
        open(health, "wb").close()
        a = load(srv.target, EXECUTE, payload, 8)
        b = load(srv.target, HEALTH, health, 8)
        print(f"ObjectInfo TABLE at 8 concurrent: {a['calls_per_s']:.0f} calls/s, p50 {a['p50_ms']:.2f} ms, "
              f"p99 {a['p99_ms']:.2f} ms; Health/Check {b['calls_per_s']:.0f} calls/s, p99 {b['p99_ms']:.2f} ms; "
              f"ratio {a['calls_per_s'] / b['calls_per_s']:.2f} (target >= 0.5)")

        rss0 = srv.rss()
        t0 = time.time()
        for p in range(PROJECTS):
            ppid = f"many{p}"
            pkey = new_project(srv, ppid)
            srv.execute(bucket_pb2.CreateBucketCommand(bucketId="in.c-b"), key=pkey, host=ppid)
            create_tables(srv, ppid, pkey, "in_c_b", PER_PROJECT)
        took = time.time() - t0
        time.sleep(0.5)
        print(f"{PROJECTS * PER_PROJECT} tables across {PROJECTS} projects: {took:.1f} s "
              f"({PROJECTS * PER_PROJECT / took:.0f} tables/s); RSS before {rss0:.0f} MB, after {srv.rss():.0f} MB "
              f"(target < 600 MB)")
    finally:
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
