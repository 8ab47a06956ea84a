# comtainer: compilation-assisted HPC container images.
# A Spack package of this repository (packaging/spack); see README.md, "Spack".
import glob
import os

from llnl.util import tty

from spack.package import *


class Comtainer(CMakePackage):
    """Compiler plugins that keep each translation unit's IR in an IR store
    during an unchanged build, and ctr-relink, which rebuilds the programs of
    an image or install tree natively (-march, LTO, PGO, the site's libraries)
    from that store."""

    # No release is published yet: comtainer is built from a checkout,
    # `spack develop --no-clone -p CHECKOUT comtainer@=main` (docs/SPACK.md).
    version("main")

    variant("clang", default=True, description="Clang 19 plugin (-fplugin for clang)")
    variant("gcc", default=True, description="GCC plugin (gcc, g++, gfortran of the same major)")
    variant("ld", default=True, description="link-time recorder (ld.bfd and gold plugin)")

    generator("ninja")

    depends_on("cmake@3.20:", type="build")
    depends_on("ninja", type="build")
    depends_on("pkgconfig", type="build")
    # The relinker drives LLVM 19 (clang, lld, llvm-profdata, BOLT) at run
    # time and links its C API; the Clang plugin is built against its headers.
    depends_on("llvm@19", type=("build", "link", "run"))
    # The GCC plugin is built against the plugin headers of the GCC it is
    # loaded into; the relinker runs that GCC for GIMPLE.
    depends_on("gcc@12", type=("build", "run"), when="+gcc")
    # plugin-api.h for the link-time recorder.
    depends_on("binutils+plugins", type="build", when="+ld")
    depends_on("msgpack-c", type="link")
    depends_on("zstd", type="link")
    depends_on("libarchive", type="link")
    depends_on("jansson", type="link")
    depends_on("elf", type="link")
    depends_on("openssl", type="link")
    depends_on("libseccomp", type="link")
    depends_on("zlib-api", type="link")
    # the GCC capture process dlopens nettle (headers at build time)
    depends_on("nettle", type=("build", "run"), when="+gcc")
    # ctr-relink's sandbox
    depends_on("bubblewrap", type="run")

    conflicts("+gcc", when="%clang", msg="the GCC plugin is compiled by g++ (build %gcc)")

    def cmake_args(self):
        spec = self.spec
        args = [
            self.define("COMTAINER_BUILD_TESTS", False),
            self.define("COMTAINER_LLVM_ROOT", spec["llvm"].prefix),
            self.define_from_variant("COMTAINER_CLANG_PLUGIN", "clang"),
            self.define_from_variant("COMTAINER_GCC_PLUGIN", "gcc"),
            self.define_from_variant("COMTAINER_LD_PLUGIN", "ld"),
        ]
        if spec.satisfies("+gcc"):
            args.append(self.define("COMTAINER_GCC", self._gcc_driver()))
        return args

    def _gcc_driver(self):
        """The gcc of the gcc@12 dependency: Debian's is gcc-12, Spack's gcc."""
        bindir = self.spec["gcc"].prefix.bin
        for name in ("gcc-12", "gcc"):
            if os.path.exists(join_path(bindir, name)):
                return join_path(bindir, name)
        raise InstallError(f"no gcc-12 or gcc in {bindir}")

    @run_after("install")
    def check_plugins(self):
        for variant in ("clang", "gcc", "ld"):
            if self.spec.satisfies(f"+{variant}") and not self.plugin(variant):
                raise InstallError(f"the {variant} plugin was not installed")

    def plugin(self, kind):
        """Installed path of the clang, gcc or ld plugin, or None.  For Clang
        it is the dispatcher, which loads the plugin of the running Clang's
        major or warns once (never fails a compile)."""
        names = {"clang": "comtainer",
                 "gcc": "comtainer-plugin/gcc-12.so",
                 "ld": "comtainer-plugin/comtainer-ld.so"}
        libdirs = ["lib", "lib64"] + glob.glob(join_path(self.prefix, "lib", "*-linux-gnu"))
        for libdir in libdirs:
            path = join_path(self.prefix, libdir, names[kind])
            if os.path.isfile(path):
                return path
        return None

    def capture_flags(self, compiler):
        """-fplugin=... for a compiler spec, or None when no plugin of this
        install can be loaded into it (capture is then off for that package:
        a GCC plugin loaded into another GCC major would fail the compile)."""
        if compiler.name == "gcc" and compiler.version.up_to(1) != Version("12"):
            return None
        kind = {"gcc": "gcc", "clang": "clang"}.get(compiler.name)
        if kind is None or not self.spec.satisfies(f"+{kind}"):
            return None
        path = self.plugin(kind)
        return f"-fplugin={path}" if path else None

    def setup_dependent_build_environment(self, env, dependent_spec):
        """A package that depends on comtainer is built with capture: every
        compile of Spack's compiler wrapper loads the plugin, and the TUs land
        in a store inside the dependent's own prefix (in .spack, which views
        do not link and `spack gc` keeps with the prefix)."""
        flag = self.capture_flags(dependent_spec.compiler)
        if flag is None:
            tty.warn(f"comtainer: no plugin for %{dependent_spec.compiler}: "
                     f"{dependent_spec.name} is built without capture")
            return
        # The snapshot's wrapper reads SPACK_*FLAGS; Spack 1.0's
        # compiler-wrapper reads SPACK_ALWAYS_*FLAGS.  Both are set.
        for var in ("CFLAGS", "CXXFLAGS", "FFLAGS"):
            env.append_flags(f"SPACK_{var}", flag)
            env.append_flags(f"SPACK_ALWAYS_{var}", flag)
        env.set("COMTAINER_STORE", store_of(dependent_spec.prefix))

    def setup_run_environment(self, env):
        """After `spack load comtainer`: ctr-store and ctr-relink on PATH, and
        COMTAINER_GCC_PLUGIN / COMTAINER_CLANG_PLUGIN / COMTAINER_LD_PLUGIN
        naming the installed plugins for flags written by hand."""
        env.prepend_path("PATH", self.prefix.bin)
        for kind in ("clang", "gcc", "ld"):
            path = self.plugin(kind) if self.spec.satisfies(f"+{kind}") else None
            if path:
                env.set(f"COMTAINER_{kind.upper()}_PLUGIN", path)


def store_of(prefix):
    """The IR store of one install prefix."""
    return join_path(prefix, ".spack", "comtainer", "store")
