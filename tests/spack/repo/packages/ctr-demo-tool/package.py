from spack.package import *


class CtrDemoTool(MakefilePackage):
    """A C program that asks for capture itself: it depends on comtainer, whose
    dependent build environment turns the plugin on and puts the TUs in a
    store inside this package's prefix."""

    homepage = "https://example.invalid/ctr-demo-tool"
    url = "@URL@"

    version("1.0", sha256="@SHA256@")

    depends_on("comtainer", type="build")
    depends_on("ctr-demo-lib")

    def install(self, spec, prefix):
        make("install", f"PREFIX={prefix}", f"DEMO_LIB={spec['ctr-demo-lib'].prefix}")
