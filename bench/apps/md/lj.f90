! lj_md: Lennard-Jones molecular dynamics in a periodic cubic box, with cell
! lists to build Verlet neighbour lists and velocity Verlet integration.
!
! Reduced units (sigma = epsilon = mass = 1).  The pair potential is cut at
! rc and shifted (V(rc) = 0); the neighbour list holds every pair closer
! than rc + skin once (a half list, Newton's third law), built from a cell
! grid with cells at least rc + skin wide and a half stencil of 14 cells.  The force loop runs in two
! passes per atom: the first, over its neighbours, gathers their positions
! and computes the pair forces into short arrays (no reduction, no scatter:
! it vectorizes, with gathers natively); the second adds them to atom i and
! subtracts them from the neighbours in list order, in scalar code, so every
! build sums in the same order and results differ only by FMA contraction.
module lj_md
  use, intrinsic :: iso_fortran_env, only: dp => real64, int64
  implicit none
  private
  public :: dp, system_t, fcc_lattice, init_velocities, build_neighbours, &
            compute_forces, kinetic_energy, max_displacement, fmt_e

  type :: system_t
    integer :: n = 0
    real(dp) :: box = 0, rc = 2.5_dp, skin = 0.5_dp
    real(dp), allocatable :: x(:), y(:), z(:), vx(:), vy(:), vz(:), fx(:), fy(:), fz(:)
    real(dp), allocatable :: x0(:), y0(:), z0(:)       ! positions at the last build
    integer, allocatable :: nstart(:), nlist(:)       ! neighbours of i: nlist(nstart(i):nstart(i+1)-1)
    integer :: ncell = 0                              ! cells per side
    integer, allocatable :: cstart(:), catom(:), cell_of(:)   ! atoms sorted by cell
    integer :: builds = 0
  end type system_t

contains

  ! nc^3 fcc unit cells (4 nc^3 atoms) at number density rho.
  subroutine fcc_lattice(s, nc, rho)
    type(system_t), intent(inout) :: s
    integer, intent(in) :: nc
    real(dp), intent(in) :: rho
    real(dp), parameter :: basis(3, 4) = reshape([0.0_dp, 0.0_dp, 0.0_dp, 0.5_dp, 0.5_dp, 0.0_dp, &
                                                  0.5_dp, 0.0_dp, 0.5_dp, 0.0_dp, 0.5_dp, 0.5_dp], [3, 4])
    integer :: i, j, k, b, p
    real(dp) :: a

    s%n = 4 * nc**3
    s%box = (s%n / rho)**(1.0_dp / 3.0_dp)
    a = s%box / nc
    allocate (s%x(s%n), s%y(s%n), s%z(s%n), s%vx(s%n), s%vy(s%n), s%vz(s%n), &
              s%fx(s%n), s%fy(s%n), s%fz(s%n), s%x0(s%n), s%y0(s%n), s%z0(s%n))
    p = 0
    do k = 0, nc - 1
      do j = 0, nc - 1
        do i = 0, nc - 1
          do b = 1, 4
            p = p + 1
            s%x(p) = a * (i + basis(1, b) + 0.25_dp)
            s%y(p) = a * (j + basis(2, b) + 0.25_dp)
            s%z(p) = a * (k + basis(3, b) + 0.25_dp)
          end do
        end do
      end do
    end do
  end subroutine fcc_lattice

  ! Deterministic uniform numbers in (0, 1): the "minimal standard" LCG,
  ! s <- 48271 s mod (2^31 - 1), in 64-bit integers (no overflow).
  function lcg_next(state) result(u)
    integer(int64), intent(inout) :: state
    real(dp) :: u
    state = modulo(state * 48271_int64, 2147483647_int64)
    u = real(state, dp) / 2147483647.0_dp
  end function lcg_next

  ! Random velocities, zero total momentum, scaled to temperature temp.
  subroutine init_velocities(s, temp, seed)
    type(system_t), intent(inout) :: s
    real(dp), intent(in) :: temp
    integer, intent(in) :: seed
    integer(int64) :: state
    integer :: i
    real(dp) :: f

    state = modulo(int(seed, int64), 2147483646_int64) + 1
    do i = 1, s%n
      s%vx(i) = lcg_next(state) - 0.5_dp
      s%vy(i) = lcg_next(state) - 0.5_dp
      s%vz(i) = lcg_next(state) - 0.5_dp
    end do
    s%vx = s%vx - sum(s%vx) / s%n
    s%vy = s%vy - sum(s%vy) / s%n
    s%vz = s%vz - sum(s%vz) / s%n
    f = sqrt(temp * 3 * (s%n - 1) / (2 * kinetic_energy(s)))
    s%vx = f * s%vx
    s%vy = f * s%vy
    s%vz = f * s%vz
  end subroutine init_velocities

  function kinetic_energy(s) result(ek)
    type(system_t), intent(in) :: s
    real(dp) :: ek
    integer :: i
    ek = 0
    do i = 1, s%n
      ek = ek + 0.5_dp * (s%vx(i)**2 + s%vy(i)**2 + s%vz(i)**2)
    end do
  end function kinetic_energy

  ! Wraps a coordinate into [0, box) (modulo only for an atom that moved
  ! more than a box length, the last test against rounding up to box).
  elemental function wrap(x, box) result(w)
    real(dp), intent(in) :: x, box
    real(dp) :: w
    w = x
    if (w < 0) w = w + box
    if (w >= box) w = w - box
    if (w < 0 .or. w >= box) w = modulo(w, box)
    if (w >= box) w = 0
  end function wrap

  ! Wraps the positions into the box, sorts the atoms into cells (counting
  ! sort: the atoms of cell c are catom(cstart(c):cstart(c+1)-1), ascending)
  ! and lists every pair within rc + skin (minimum image) once: the atoms of
  ! i's own cell after i, and all atoms of the 13 "forward" neighbour cells.
  subroutine build_neighbours(s)
    type(system_t), intent(inout) :: s
    integer :: i, j, c, cx, cy, cz, o, kk, kb, kn, nc, cap, m
    integer, allocatable :: tmp(:)
    real(dp), allocatable :: d2(:)
    integer, parameter :: stencil(3, 14) = reshape([0, 0, 0, 1, 0, 0, &
      -1, 1, 0, 0, 1, 0, 1, 1, 0, &
      -1, -1, 1, 0, -1, 1, 1, -1, 1, -1, 0, 1, 0, 0, 1, 1, 0, 1, -1, 1, 1, 0, 1, 1, 1, 1, 1], [3, 14])
    real(dp) :: rl2, ddx, ddy, ddz, half, box, cw, xi, yi, zi

    nc = s%ncell
    if (nc == 0) then
      nc = max(3, int(s%box / (s%rc + s%skin)))
      s%ncell = nc
      allocate (s%cstart(0:nc**3), s%catom(s%n), s%cell_of(s%n), s%nstart(s%n + 1))
      allocate (s%nlist(50 * s%n))
    end if
    s%x = wrap(s%x, s%box)
    s%y = wrap(s%y, s%box)
    s%z = wrap(s%z, s%box)
    cw = s%box / nc
    s%cstart = 0
    do i = 1, s%n
      cx = min(int(s%x(i) / cw), nc - 1)
      cy = min(int(s%y(i) / cw), nc - 1)
      cz = min(int(s%z(i) / cw), nc - 1)
      c = (cz * nc + cy) * nc + cx
      s%cell_of(i) = c
      s%cstart(c + 1) = s%cstart(c + 1) + 1
    end do
    s%cstart(0) = 1
    do c = 1, nc**3
      s%cstart(c) = s%cstart(c) + s%cstart(c - 1)
    end do
    do i = 1, s%n                 ! fill, then shift cstart back by one cell
      c = s%cell_of(i)
      s%catom(s%cstart(c)) = i
      s%cstart(c) = s%cstart(c) + 1
    end do
    do c = nc**3, 1, -1
      s%cstart(c) = s%cstart(c - 1)
    end do
    s%cstart(0) = 1

    allocate (d2(maxval(s%cstart(1:nc**3) - s%cstart(0:nc**3 - 1))))
    rl2 = (s%rc + s%skin)**2
    box = s%box
    half = 0.5_dp * box
    m = 0
    cap = size(s%nlist)
    do i = 1, s%n
      s%nstart(i) = m + 1
      xi = s%x(i)
      yi = s%y(i)
      zi = s%z(i)
      cx = mod(s%cell_of(i), nc)
      cy = mod(s%cell_of(i) / nc, nc)
      cz = s%cell_of(i) / (nc * nc)
      do o = 1, 14
        c = (modulo(cz + stencil(3, o), nc) * nc + modulo(cy + stencil(2, o), nc)) * nc &
            + modulo(cx + stencil(1, o), nc)
        ! Distances to the cell's atoms (vectorizable), then the list.
        kb = s%cstart(c)
        kn = s%cstart(c + 1) - kb
        do kk = 1, kn
          j = s%catom(kb + kk - 1)
          ddx = xi - s%x(j)
          ddy = yi - s%y(j)
          ddz = zi - s%z(j)
          ddx = ddx - box * real(merge(1, 0, ddx > half) - merge(1, 0, ddx < -half), dp)
          ddy = ddy - box * real(merge(1, 0, ddy > half) - merge(1, 0, ddy < -half), dp)
          ddz = ddz - box * real(merge(1, 0, ddz > half) - merge(1, 0, ddz < -half), dp)
          d2(kk) = ddx * ddx + ddy * ddy + ddz * ddz
        end do
        if (m + kn + 1 > cap) then
          cap = 2 * cap + kn
          allocate (tmp(cap))
          tmp(1:m) = s%nlist(1:m)
          call move_alloc(tmp, s%nlist)
        end if
        do kk = 1, kn            ! branch-free compress: store, then maybe advance
          j = s%catom(kb + kk - 1)
          s%nlist(m + 1) = j
          m = m + merge(1, 0, d2(kk) < rl2 .and. (o > 1 .or. j > i))
        end do
      end do
    end do
    s%nstart(s%n + 1) = m + 1
    s%x0 = s%x
    s%y0 = s%y
    s%z0 = s%z
    s%builds = s%builds + 1
  end subroutine build_neighbours

  ! Largest distance an atom moved since the last build (the list stays
  ! valid while it is below skin / 2).
  function max_displacement(s) result(d)
    type(system_t), intent(in) :: s
    real(dp) :: d
    d = sqrt(maxval((s%x - s%x0)**2 + (s%y - s%y0)**2 + (s%z - s%z0)**2))
  end function max_displacement

  ! Forces, potential energy and virial sum_{i<j} r_ij . f_ij.
  subroutine compute_forces(s, epot, virial)
    type(system_t), intent(inout) :: s
    real(dp), intent(out) :: epot, virial
    integer, parameter :: maxnb = 256
    real(dp) :: px(maxnb), py(maxnb), pz(maxnb), pe(maxnb), pw(maxnb)
    real(dp) :: rc2, ecut, half, box, xi, yi, zi, dx, dy, dz, r2, s2, s6, ff, inside, fxi, fyi, fzi
    integer :: i, j, k, jb, m, k0, kn

    rc2 = s%rc**2
    ecut = 4 * (s%rc**(-12) - s%rc**(-6))
    half = 0.5_dp * s%box
    box = s%box
    s%fx = 0
    s%fy = 0
    s%fz = 0
    epot = 0
    virial = 0
    do i = 1, s%n
      xi = s%x(i)
      yi = s%y(i)
      zi = s%z(i)
      fxi = 0
      fyi = 0
      fzi = 0
      jb = s%nstart(i)
      m = s%nstart(i + 1) - jb
      do k0 = 0, m - 1, maxnb
        kn = min(maxnb, m - k0)
        ! Pass 1: pair forces, vectorizable.
        do k = 1, kn
          j = s%nlist(jb + k0 + k - 1)
          dx = xi - s%x(j)
          dy = yi - s%y(j)
          dz = zi - s%z(j)
          ! Minimum image; integer selects keep it free of branches.
          dx = dx - box * real(merge(1, 0, dx > half) - merge(1, 0, dx < -half), dp)
          dy = dy - box * real(merge(1, 0, dy > half) - merge(1, 0, dy < -half), dp)
          dz = dz - box * real(merge(1, 0, dz > half) - merge(1, 0, dz < -half), dp)
          r2 = dx * dx + dy * dy + dz * dz
          inside = merge(1.0_dp, 0.0_dp, r2 < rc2)     ! a factor, not a branch
          s2 = 1 / r2
          s6 = s2 * s2 * s2
          ff = inside * (48 * s6 * (s6 - 0.5_dp) * s2)
          px(k) = ff * dx
          py(k) = ff * dy
          pz(k) = ff * dz
          pe(k) = inside * (4 * s6 * (s6 - 1) - ecut)
          pw(k) = ff * r2
        end do
        ! Pass 2: accumulate in list order.
        do k = 1, kn
          j = s%nlist(jb + k0 + k - 1)
          fxi = fxi + px(k)
          fyi = fyi + py(k)
          fzi = fzi + pz(k)
          s%fx(j) = s%fx(j) - px(k)
          s%fy(j) = s%fy(j) - py(k)
          s%fz(j) = s%fz(j) - pz(k)
          epot = epot + pe(k)
          virial = virial + pw(k)
        end do
      end do
      s%fx(i) = s%fx(i) + fxi
      s%fy(i) = s%fy(i) + fyi
      s%fz(i) = s%fz(i) + fzi
    end do
  end subroutine compute_forces

  ! x in the form of C's "%.15e": lower-case e, at least two exponent digits.
  function fmt_e(x) result(str)
    real(dp), intent(in) :: x
    character(len=:), allocatable :: str
    character(len=40) :: num
    integer :: e
    write (num, '(es24.15e3)') x
    num = adjustl(num)
    e = index(num, 'E')
    num(e:e) = 'e'
    if (num(e + 2:e + 2) == '0') num = num(:e + 1) // num(e + 3:)
    str = trim(num)
  end function fmt_e

end module lj_md
