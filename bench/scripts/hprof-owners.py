#!/usr/bin/env python3
"""hprof-owners.py DUMP N [CLASS...]: who holds the objects of a heap dump, per connection.

Reads an HPROF heap dump (jcmd PID GC.heap_dump -all=false FILE: live objects only) and groups
every object by its class and the first referrer found (the referring object's class and field,
or the array class for an array element), then prints the groups with at least N/2 objects
(N: the connections held when the dump was taken), in bytes and objects per connection. With
CLASS arguments, only objects of those classes ("[B", "java.lang.String"...). Sizes are shallow,
with compressed oops and class pointers (16-byte array header, 8-byte alignment); a StackChunk's
stack is not in its shallow size, so the stacks' sizes (the chunks' size field) are summarised
after the table: a parked virtual thread whose frames are interpreted has a chunk several times
larger than one whose frames were compiled.
"""
import re
import struct
import sys
from collections import defaultdict

INNER = re.compile(r"^(java\.lang\.String|\[Ljava\.lang\.(String|Object);|java\.util\.\S*(Map|Node|Set|List|Deque)\S*|\[Ljava\.util\.\S*Node;|java\.util\.concurrent\.locks\.\S+|java\.lang\.Integer)$")
PRIM_SIZE = {4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
PRIM_NAME = {4: "[Z", 5: "[C", 6: "[F", 7: "[D", 8: "[B", 9: "[S", 10: "[I", 11: "[J"}


def align(n):
    return (n + 7) & ~7


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    only = set(sys.argv[3:])
    data = open(path, "rb").read()
    pos = data.index(b"\0") + 1
    idsize = struct.unpack_from(">I", data, pos)[0]
    pos += 12
    idfmt = ">I" if idsize == 4 else ">Q"
    strings, class_names = {}, {}
    classes = {}  # class id -> (super id, [(field name, type)], instance size)
    objects = {}  # object id -> (class name, shallow size)
    refs = []  # (from id, field label, to id): resolved after the walk
    end = len(data)
    segments = []
    while pos < end:
        tag = data[pos]
        length = struct.unpack_from(">I", data, pos + 5)[0]
        body = pos + 9
        if tag == 0x01:
            sid = struct.unpack_from(idfmt, data, body)[0]
            strings[sid] = data[body + idsize:body + length].decode("utf-8", "replace")
        elif tag == 0x02:
            cid = struct.unpack_from(idfmt, data, body + 4)[0]
            nid = struct.unpack_from(idfmt, data, body + 8 + idsize)[0]
            class_names[cid] = nid
        elif tag in (0x0C, 0x1C):
            segments.append((body, body + length))
        pos = body + length

    def cname(cid):
        return strings.get(class_names.get(cid), "?").replace("/", ".")

    def rid(p):
        return struct.unpack_from(idfmt, data, p)[0]

    def value_size(t):
        return idsize if t == 2 else PRIM_SIZE[t]

    instances = []
    for start, stop in segments:
        p = start
        while p < stop:
            sub = data[p]
            p += 1
            if sub == 0xFF or sub == 0x05 or sub == 0x07:
                p += idsize
            elif sub == 0x01:
                p += 2 * idsize
            elif sub in (0x02, 0x03, 0x08):
                p += idsize + 8
            elif sub in (0x04, 0x06):
                p += idsize + 4
            elif sub == 0x20:
                cid = rid(p)
                sup = rid(p + idsize + 4)
                p += 7 * idsize + 4
                isize = struct.unpack_from(">I", data, p)[0]
                p += 4
                cp = struct.unpack_from(">H", data, p)[0]
                p += 2
                for _ in range(cp):
                    t = data[p + 2]
                    p += 3 + value_size(t)
                sc = struct.unpack_from(">H", data, p)[0]
                p += 2
                for _ in range(sc):
                    t = data[p + idsize]
                    p += idsize + 1 + value_size(t)
                fc = struct.unpack_from(">H", data, p)[0]
                p += 2
                fields = []
                for _ in range(fc):
                    fields.append((strings.get(rid(p), "?"), data[p + idsize]))
                    p += idsize + 1
                classes[cid] = (sup, fields, isize)
            elif sub == 0x21:
                oid = rid(p)
                cid = rid(p + idsize + 4)
                nb = struct.unpack_from(">I", data, p + 2 * idsize + 4)[0]
                p += 2 * idsize + 8
                instances.append((oid, cid, p))
                p += nb
            elif sub == 0x22:
                oid = rid(p)
                count = struct.unpack_from(">I", data, p + idsize + 4)[0]
                acid = rid(p + idsize + 8)
                p += 2 * idsize + 8
                label = cname(acid)
                objects[oid] = (label, align(16 + 4 * count))
                for i in range(count):
                    to = rid(p + i * idsize)
                    if to:
                        refs.append((oid, label + "[]", to))
                p += count * idsize
            elif sub == 0x23:
                oid = rid(p)
                count = struct.unpack_from(">I", data, p + idsize + 4)[0]
                t = data[p + idsize + 8]
                p += idsize + 9
                objects[oid] = (PRIM_NAME[t], align(16 + PRIM_SIZE[t] * count))
                p += count * PRIM_SIZE[t]
            else:
                raise SystemExit("unknown heap sub-record 0x%02x at %d" % (sub, p - 1))

    layouts = {}

    def layout(cid):
        if cid not in layouts:
            chain = []
            c = cid
            while c in classes:
                sup, fields, _ = classes[c]
                chain.append((cname(c), fields))
                c = sup
            layouts[cid] = chain
        return layouts[cid]

    chunks = []  # the stack sizes, in bytes, of the parked virtual threads' StackChunks
    for oid, cid, p in instances:
        name = cname(cid)
        size = 12
        for owner, fields in layout(cid):
            for fname, t in fields:
                if name == "jdk.internal.vm.StackChunk" and fname == "size" and t == 10:
                    chunks.append(struct.unpack_from(">i", data, p)[0] * 8)
                if t == 2:
                    to = rid(p)
                    if to:
                        refs.append((oid, name + "." + fname, to))
                    p += idsize
                    size += 4
                else:
                    p += PRIM_SIZE[t]
                    size += PRIM_SIZE[t]
        objects[oid] = (name, align(size))

    owner = {}
    for frm, label, to in refs:
        if to not in owner and to in objects and frm != to:
            owner[to] = (label, frm)

    def owned_by(oid):
        # the referrer, and for a String, a boxed value or a collection's inner parts, its own
        # referrer too (a String's bytes are placed by whoever holds the String)
        label, frm = owner.get(oid, ("(root or unreferenced)", None))
        for _ in range(3):
            if frm is None or not INNER.match(objects[frm][0]):
                break
            up, frm = owner.get(frm, ("(root or unreferenced)", None))
            label = label + " <- " + up
        return label
    groups = defaultdict(lambda: [0, 0])
    for oid, (name, size) in objects.items():
        if only and name not in only:
            continue
        g = groups[(name, owned_by(oid))]
        g[0] += size
        g[1] += 1
    rows = sorted(((b, c, k) for k, (b, c) in groups.items() if c >= n / 2), reverse=True)
    total = 0
    for b, c, (name, by) in rows:
        total += b
        print("%9.1f B %7.2f  %-45s <- %s" % (b / n, c / n, name, by))
    print("%9.1f B           in the groups above (shallow sizes; the instance sizes are estimates)" % (total / n))
    if chunks:
        chunks.sort()
        q = lambda f: chunks[min(len(chunks) - 1, int(f * len(chunks)))]
        print("StackChunk stacks: %d chunks, %d B in all; per chunk: median %d B, 10%% %d B, 90%% %d B, largest %d B"
              % (len(chunks), sum(chunks), q(0.5), q(0.1), q(0.9), chunks[-1]))


if __name__ == "__main__":
    main()
