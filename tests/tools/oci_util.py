#!/usr/bin/env python3
"""OCI image helpers for the tests (tests/oci_*.sh): an independent reader
that checks what ctr-relink writes, and forgers for the hostile inputs.

  oci_util.py show IMAGE                 check every digest, size and diff_id of
                                         the image; print a JSON summary
  oci_util.py entries IMAGE LAYER        list one layer's tar entries
                                         (LAYER: index, negative from the top)
  oci_util.py append-layer LAYOUT:TAG SPEC.json [--plain] [--new-tag T]
                                         add a layer made of the entries in SPEC
                                         (a JSON list of {name, type, data,
                                         linkname, mode, major, minor}); the
                                         tag then names the new manifest
  oci_util.py forge CASE LAYOUT:TAG      make LAYOUT:TAG hostile in place (see
                                         FORGERS); prints what the error must name
  oci_util.py docker-forge CASE FILE     the same for a docker-archive tar
  oci_util.py archive-forge CASE FILE    the same for an oci-archive tar

IMAGE is an OCI layout directory (DIR or DIR:TAG) or an oci-archive tar
(FILE or FILE:TAG).  Nothing here trusts the image: every blob is hashed.
"""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
PLAIN = "application/vnd.oci.image.layer.v1.tar"
REF = "org.opencontainers.image.ref.name"


def die(msg):
    sys.exit("oci_util: " + msg)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI layout directory; an oci-archive is unpacked into a temp dir."""

    def __init__(self, spec):
        self.tag = None
        self._tmp = None
        path = spec
        if not os.path.exists(path) and ":" in spec:
            path, self.tag = spec.rsplit(":", 1)
        if os.path.isfile(path):
            self._tmp = tempfile.TemporaryDirectory()
            with tarfile.open(path) as t:
                for m in t.getmembers():
                    n = os.path.normpath(m.name)
                    if n.startswith("..") or os.path.isabs(n):
                        die("archive entry %r escapes" % m.name)
                    if not (m.isfile() or m.isdir()):
                        die("archive entry %r is not a file or directory" % m.name)
                t.extractall(self._tmp.name)
            path = self._tmp.name
        self.dir = path
        if not os.path.isfile(os.path.join(path, "oci-layout")):
            die("%s: no oci-layout file" % spec)
        self.index = json.load(open(os.path.join(path, "index.json")))

    def blob_path(self, digest):
        alg, hexd = digest.split(":", 1)
        return os.path.join(self.dir, "blobs", alg, hexd)

    def blob(self, desc):
        data = open(self.blob_path(desc["digest"]), "rb").read()
        if sha(data) != desc["digest"]:
            die("blob %s: content digest is %s" % (desc["digest"], sha(data)))
        if len(data) != desc["size"]:
            die("blob %s: size %d, descriptor says %d" % (desc["digest"], len(data), desc["size"]))
        return data

    def put_blob(self, data):
        d = sha(data)
        os.makedirs(os.path.join(self.dir, "blobs", "sha256"), exist_ok=True)
        with open(self.blob_path(d), "wb") as f:
            f.write(data)
        return d

    def manifest_desc(self):
        mans = self.index["manifests"]
        if self.tag is not None:
            mans = [m for m in mans if m.get("annotations", {}).get(REF) == self.tag]
        if len(mans) != 1:
            die("%d manifests match tag %r" % (len(mans), self.tag))
        return mans[0]

    def set_manifest(self, old_desc, manifest_bytes):
        new = dict(old_desc, digest=self.put_blob(manifest_bytes), size=len(manifest_bytes))
        self.index["manifests"] = [new if m is old_desc else m for m in self.index["manifests"]]
        self.write_index()
        return new

    def write_index(self):
        with open(os.path.join(self.dir, "index.json"), "w") as f:
            json.dump(self.index, f)


def layer_tar(layout, desc):
    data = layout.blob(desc)
    if desc["mediaType"].endswith("+gzip"):
        data = gzip.decompress(data)
    elif desc["mediaType"].endswith("+zstd"):
        data = subprocess.run(["zstd", "-dc"], input=data, stdout=subprocess.PIPE, check=True).stdout
    elif desc["mediaType"] not in (PLAIN, "application/vnd.docker.image.rootfs.diff.tar"):
        die("layer %s: media type %s not handled here" % (desc["digest"], desc["mediaType"]))
    return data


def cmd_show(spec):
    lay = Layout(spec)
    mdesc = lay.manifest_desc()
    mbytes = lay.blob(mdesc)
    man = json.loads(mbytes)
    cbytes = lay.blob(man["config"])
    cfg = json.loads(cbytes)
    diff_ids = cfg["rootfs"]["diff_ids"]
    if len(diff_ids) != len(man["layers"]):
        die("%d layers, %d diff_ids" % (len(man["layers"]), len(diff_ids)))
    layers = []
    for desc, did in zip(man["layers"], diff_ids):
        tar = layer_tar(lay, desc)
        if sha(tar) != did:
            die("layer %s: diff_id %s, uncompressed digest %s" % (desc["digest"], did, sha(tar)))
        layers.append({"digest": desc["digest"], "size": desc["size"], "mediaType": desc["mediaType"],
                       "diff_id": did, "tar_size": len(tar)})
    real = [h for h in cfg.get("history", []) if not h.get("empty_layer")]
    if cfg.get("history") is not None and len(real) != len(layers):
        die("%d history entries with layers, %d layers" % (len(real), len(layers)))
    print(json.dumps({
        "manifest_digest": mdesc["digest"], "manifest_size": mdesc["size"],
        "ref_name": mdesc.get("annotations", {}).get(REF),
        "index_manifests": len(lay.index["manifests"]),
        "annotations": man.get("annotations", {}),
        "config_digest": man["config"]["digest"], "config_size": man["config"]["size"],
        "config": cfg, "layers": layers}, indent=1, sort_keys=True))


def cmd_entries(spec, index):
    lay = Layout(spec)
    man = json.loads(lay.blob(lay.manifest_desc()))
    desc = man["layers"][int(index)]
    with tarfile.open(fileobj=io.BytesIO(layer_tar(lay, desc))) as t:
        for m in t.getmembers():
            kind = {tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.DIRTYPE: "d",
                    tarfile.SYMTYPE: "l", tarfile.LNKTYPE: "h", tarfile.CHRTYPE: "c",
                    tarfile.BLKTYPE: "b", tarfile.FIFOTYPE: "p"}.get(m.type, "?")
            line = "%s %04o %s" % (kind, m.mode, m.name)
            if m.issym() or m.islnk():
                line += " -> " + m.linkname
            print(line)


def make_tar(entries):
    """A layer tar from entry dicts, in order, with fixed metadata."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.mtime = 1700000000
            ti.uid = ti.gid = 0
            kind = e.get("type", "file")
            data = e.get("data", "").encode()
            ti.mode = e.get("mode", 0o755 if kind == "dir" else 0o644)
            if kind == "file":
                ti.size = len(data)
            elif kind == "dir":
                ti.type = tarfile.DIRTYPE
            elif kind == "symlink":
                ti.type, ti.linkname = tarfile.SYMTYPE, e["linkname"]
            elif kind == "hardlink":
                ti.type, ti.linkname = tarfile.LNKTYPE, e["linkname"]
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
            elif kind in ("char", "block"):
                ti.type = tarfile.CHRTYPE if kind == "char" else tarfile.BLKTYPE
                ti.devmajor, ti.devminor = e.get("major", 1), e.get("minor", 3)
            else:
                die("entry type %r" % kind)
            # tarfile keeps the name as given: '../x' and '/x' stay hostile
            t.addfile(ti, io.BytesIO(data) if kind == "file" else None)
    return buf.getvalue()


def append_layer(spec, entries, gz=True, new_tag=None, raw_layer=None, diff_id=None):
    """Add a layer on top of LAYOUT:TAG; returns the layer's descriptor.
    diff_id: what the config says instead of the tar's own digest."""
    lay = Layout(spec)
    mdesc = lay.manifest_desc()
    man = json.loads(lay.blob(mdesc))
    cfg = json.loads(lay.blob(man["config"]))
    tar = make_tar(entries) if raw_layer is None else raw_layer
    blob = gzip.compress(tar, mtime=0) if gz else tar
    ldesc = {"mediaType": GZIP if gz else PLAIN, "digest": lay.put_blob(blob), "size": len(blob)}
    man["layers"].append(ldesc)
    cfg["rootfs"]["diff_ids"].append(diff_id or sha(tar))
    cfg.setdefault("history", []).append({"created_by": "oci_util append-layer"})
    cbytes = json.dumps(cfg).encode()
    man["config"] = dict(man["config"], digest=lay.put_blob(cbytes), size=len(cbytes))
    mbytes = json.dumps(man).encode()
    if new_tag is None:
        lay.set_manifest(mdesc, mbytes)
    else:
        desc = dict(mdesc, digest=lay.put_blob(mbytes), size=len(mbytes),
                    annotations={REF: new_tag})
        lay.index["manifests"].append(desc)
        lay.write_index()
    return ldesc


def f(name, data="x\n"):
    return {"name": name, "type": "file", "data": data}


# Each forger makes LAYOUT:TAG hostile in place and returns the text the
# error message must contain (the entry or blob it has to name).
def forge_entries(entries, must_name):
    def run(spec):
        append_layer(spec, entries)
        return must_name
    return run


def forge_cross_layer(spec):
    # a symlink out of the root in one layer, a file written through it in the next
    append_layer(spec, [{"name": "evil", "type": "symlink", "linkname": "../../.."}])
    append_layer(spec, [f("evil/evil-x")])
    return "evil"


def forge_whiteout_symlink(opaque):
    # a symlink to a directory outside (OCI_VICTIM, absolute), then a whiteout
    # through it: a reader that applies whiteouts by following the link
    # deletes the victim's files
    def run(spec):
        victim = os.environ["OCI_VICTIM"]
        append_layer(spec, [{"name": "evil-wh", "type": "symlink", "linkname": victim}])
        name = "evil-wh/.wh..wh..opq" if opaque else "evil-wh/.wh.victim"
        append_layer(spec, [f(name, "")])
        return "evil-wh"
    return run


def forge_store_symlink(spec):
    # inside the IR store, the part a store reader extracts: a symlink to a
    # directory outside (OCI_VICTIM), then a record planted and a whiteout
    # applied through it
    store = "var/lib/comtainer/store/"
    append_layer(spec, [{"name": store + "evil-st", "type": "symlink",
                         "linkname": os.environ["OCI_VICTIM"]}])
    append_layer(spec, [f(store + "evil-st/planted"), f(store + "evil-st/.wh.victim", "")])
    return store + "evil-st"


def forge_store_abs_symlink(spec):
    # the image's store replaced by an absolute symlink to the host's copy
    # of it (OCI_HOST_STORE): a reader that follows it reads the host
    append_layer(spec, [f("var/lib/comtainer/.wh.store", ""),
                        {"name": "var/lib/comtainer/store", "type": "symlink",
                         "linkname": os.environ["OCI_HOST_STORE"]}])
    return "store"


def forge_fifo_record(spec):
    # every record of the store replaced by a FIFO: opening one for reading
    # blocks forever
    lay = Layout(spec)
    man = json.loads(lay.blob(lay.manifest_desc()))
    names = []
    for d in man["layers"]:
        with tarfile.open(fileobj=io.BytesIO(layer_tar(lay, d))) as t:
            names += [m.name for m in t.getmembers()
                      if m.isfile() and "/comtainer/store/records/" in m.name]
    if not names:
        die("no records in the image")
    append_layer(spec, [{"name": n, "type": "fifo"} for n in sorted(set(names))])
    return "not a regular file"


def forge_fifo_blob(which):
    # a layer blob or the config as a FIFO in the layout's blobs/
    def run(spec):
        lay = Layout(spec)
        man = json.loads(lay.blob(lay.manifest_desc()))
        d = man["layers"][-1]["digest"] if which == "layer" else man["config"]["digest"]
        p = lay.blob_path(d)
        os.unlink(p)
        os.mkfifo(p)
        return "not a regular file"
    return run


def forge_bomb(size):
    # a gzip layer of a few MiB that expands to `size` bytes of zeros, with
    # descriptor and diff_id consistent
    def run(spec):
        lay = Layout(spec)
        mdesc = lay.manifest_desc()
        man = json.loads(lay.blob(mdesc))
        cfg = json.loads(lay.blob(man["config"]))
        tarsum, gzbuf = hashlib.sha256(), io.BytesIO()
        zeros = bytes(1 << 20)

        class Sink(io.RawIOBase):  # the tar stream: hashed and compressed
            def writable(self):
                return True

            def write(self, b):
                tarsum.update(b)
                gz.write(b)
                return len(b)

        class Zeros(io.RawIOBase):
            def __init__(self, n):
                self.left = n

            def readable(self):
                return True

            def readinto(self, b):
                n = min(len(b), self.left)
                b[:n] = zeros[:n] if n <= len(zeros) else bytes(n)
                self.left -= n
                return n

        with gzip.GzipFile(fileobj=gzbuf, mode="wb", compresslevel=1, mtime=0) as gz:
            with tarfile.open(fileobj=Sink(), mode="w|", format=tarfile.PAX_FORMAT) as t:
                ti = tarfile.TarInfo("opt/evil-bomb")
                ti.size, ti.mtime = size, 1700000000
                t.addfile(ti, io.BufferedReader(Zeros(size), 1 << 20))
        blob = gzbuf.getvalue()
        ldesc = {"mediaType": GZIP, "digest": lay.put_blob(blob), "size": len(blob)}
        man["layers"].append(ldesc)
        cfg["rootfs"]["diff_ids"].append("sha256:" + tarsum.hexdigest())
        cbytes = json.dumps(cfg).encode()
        man["config"] = dict(man["config"], digest=lay.put_blob(cbytes), size=len(cbytes))
        lay.set_manifest(mdesc, json.dumps(man).encode())
        return "expand to more than"
    return run


def forge_layer_digest(spec):
    # the top layer's bytes change, its descriptor does not
    lay = Layout(spec)
    man = json.loads(lay.blob(lay.manifest_desc()))
    d = man["layers"][-1]["digest"]
    p = lay.blob_path(d)
    data = bytearray(open(p, "rb").read())
    data[len(data) // 2] ^= 0xff
    open(p, "wb").write(bytes(data))
    return d.split(":")[1]


def forge_diff_id(spec):
    # a sound blob whose tar is not the one the config's diff_id names: only
    # the whole tar can tell, so a reader that unpacks while it verifies has
    # written it all when it finds out, and must remove it again (the layer
    # also holds part of the store, which ctr-store unpacks)
    append_layer(spec, [f("opt/evil-diffid"), f("var/lib/comtainer/store/evil-diffid")],
                 diff_id=sha(b"another tar"))
    return "diff_id mismatch"


def forge_truncated_layer(spec):
    # a gzip layer cut in half, with descriptor and diff_id consistent, so
    # only reading the stream can tell
    gzdata = gzip.compress(make_tar([f("opt/big%d" % i, "%d" % i * 4000) for i in range(8)]),
                           mtime=0)
    cut = gzdata[:len(gzdata) // 2]
    lay = Layout(spec)
    mdesc = lay.manifest_desc()
    man = json.loads(lay.blob(mdesc))
    cfg = json.loads(lay.blob(man["config"]))
    ldesc = {"mediaType": GZIP, "digest": lay.put_blob(cut), "size": len(cut)}
    man["layers"].append(ldesc)
    cfg["rootfs"]["diff_ids"].append(sha(gzip.decompress(gzdata)))
    cfg.setdefault("history", []).append({"created_by": "truncated"})
    cbytes = json.dumps(cfg).encode()
    man["config"] = dict(man["config"], digest=lay.put_blob(cbytes), size=len(cbytes))
    lay.set_manifest(mdesc, json.dumps(man).encode())
    return ldesc["digest"].split(":")[1]


def forge_bad_index(spec):
    lay = Layout(spec)
    with open(os.path.join(lay.dir, "index.json"), "w") as fh:
        fh.write('{"schemaVersion": 2, "manifests": [')
    return "index.json"


def forge_bad_manifest(spec):
    lay = Layout(spec)
    new = lay.set_manifest(lay.manifest_desc(), b'{"schemaVersion": 2, "config": {"digest": ')
    return new["digest"].split(":")[1]


def forge_bad_config(spec):
    lay = Layout(spec)
    mdesc = lay.manifest_desc()
    man = json.loads(lay.blob(mdesc))
    cbytes = b'{"architecture": "amd64", "rootfs": {"diff_ids": [1, 2'
    man["config"] = dict(man["config"], digest=lay.put_blob(cbytes), size=len(cbytes))
    lay.set_manifest(mdesc, json.dumps(man).encode())
    return man["config"]["digest"].split(":")[1]


FORGERS = {
    "dotdot": forge_entries([f("opt/ok"), f("../evil-dotdot")], "../evil-dotdot"),
    "dotdot-inner": forge_entries([f("opt/../../evil-inner")], "opt/../../evil-inner"),
    "absolute": forge_entries([f("/etc/evil-abs")], "/etc/evil-abs"),
    "symlink-up": forge_entries([{"name": "evil", "type": "symlink", "linkname": "../../.."},
                                 f("evil/evil-x")], "evil"),
    "symlink-abs": forge_entries([{"name": "evil", "type": "symlink", "linkname": "/etc"},
                                  f("evil/evil-x")], "evil"),
    "symlink-cross-layer": forge_cross_layer,
    "whiteout-symlink": forge_whiteout_symlink(False),
    "opaque-symlink": forge_whiteout_symlink(True),
    "store-symlink": forge_store_symlink,
    "hardlink-up": forge_entries([{"name": "evil-link", "type": "hardlink",
                                   "linkname": "../../evil-outside"}], "evil-link"),
    "hardlink-abs": forge_entries([{"name": "evil-link", "type": "hardlink",
                                    "linkname": "/etc/shadow"}], "evil-link"),
    "chardev": forge_entries([{"name": "opt/evil-null", "type": "char", "major": 1,
                               "minor": 3}], "opt/evil-null"),
    "blockdev": forge_entries([{"name": "opt/evil-disk", "type": "block", "major": 8,
                                "minor": 0}], "opt/evil-disk"),
    "store-abs-symlink": forge_store_abs_symlink,
    "fifo-record": forge_fifo_record,
    "fifo-layer": forge_fifo_blob("layer"),
    "fifo-config": forge_fifo_blob("config"),
    "whiteout-dot": forge_entries([f("usr/.wh..", "")], "usr/.wh.."),
    "whiteout-dotdot": forge_entries([f(".wh...", "")], ".wh..."),
    "bomb-small": forge_bomb(64 << 20),
    # a tree deeper than PATH_MAX, then a refused entry: the failed run must
    # still remove all it unpacked (a path-based cleanup could not)
    "deep": forge_entries([f("opt/" + "/".join(["d" * 200] * 25) + "/file"),
                           {"name": "opt/evil-deep-null", "type": "char"}], "opt/evil-deep-null"),
    "bomb": forge_bomb((1 << 30) + (256 << 20)),
    "layer-digest": forge_layer_digest,
    "diff-id": forge_diff_id,
    "truncated-layer": forge_truncated_layer,
    "bad-index": forge_bad_index,
    "bad-manifest": forge_bad_manifest,
    "bad-config": forge_bad_config,
}


def docker_forge(case, path):
    """Hostile docker-archives, rewritten in place."""
    with tarfile.open(path) as t:
        members = [(m, t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()]
    man = json.loads(next(d for m, d in members if m.name.lstrip("./") == "manifest.json"))
    if case == "layer-path-dotdot":
        man[0]["Layers"][0] = "../../etc/evil-layer.tar"
        must = "../../etc/evil-layer.tar"
    elif case == "config-path-abs":
        man[0]["Config"] = "/etc/evil-config.json"
        must = "/etc/evil-config.json"
    else:
        die("docker case %r" % case)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        for m, d in members:
            if m.name.lstrip("./") == "manifest.json":
                d = json.dumps(man).encode()
                m.size = len(d)
            t.addfile(m, io.BytesIO(d) if d is not None else None)
    open(path, "wb").write(out.getvalue())
    return must


def archive_forge(case, path):
    """Hostile oci-archives, rewritten in place."""
    if case != "outer-dotdot":
        die("archive case %r" % case)
    with tarfile.open(path, "a") as t:
        ti = tarfile.TarInfo("../evil-outer")
        data = b"escaped\n"
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    return "../evil-outer"


def main(argv):
    if len(argv) < 2:
        die(__doc__)
    cmd = argv[1]
    if cmd == "show" and len(argv) == 3:
        cmd_show(argv[2])
    elif cmd == "entries" and len(argv) == 4:
        cmd_entries(argv[2], argv[3])
    elif cmd == "append-layer" and len(argv) >= 4:
        gz = "--plain" not in argv
        new_tag = argv[argv.index("--new-tag") + 1] if "--new-tag" in argv else None
        d = append_layer(argv[2], json.load(open(argv[3])), gz=gz, new_tag=new_tag)
        print(d["digest"])
    elif cmd == "forge" and len(argv) == 4:
        if argv[2] not in FORGERS:
            die("no case %r; cases: %s" % (argv[2], " ".join(FORGERS)))
        print(FORGERS[argv[2]](argv[3]))
    elif cmd == "docker-forge" and len(argv) == 4:
        print(docker_forge(argv[2], argv[3]))
    elif cmd == "archive-forge" and len(argv) == 4:
        print(archive_forge(argv[2], argv[3]))
    else:
        die(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # a reader like `grep -q` stopped early: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
