from spack.package import *


class CtrDemoApp(CMakePackage):
    """A C++ program with a Fortran kernel that links ctr-demo-lib, built by
    CMake."""

    homepage = "https://example.invalid/ctr-demo-app"
    url = "@URL@"

    version("1.0", sha256="@SHA256@")

    depends_on("ctr-demo-lib")
