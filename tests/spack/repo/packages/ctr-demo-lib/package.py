from spack.package import *


class CtrDemoLib(MakefilePackage):
    """A C shared library (a stencil sweep and a reduction), built by make."""

    homepage = "https://example.invalid/ctr-demo-lib"
    url = "@URL@"

    version("1.0", sha256="@SHA256@")

    def install(self, spec, prefix):
        make("install", f"PREFIX={prefix}")
