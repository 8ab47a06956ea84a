! md: Lennard-Jones atoms in a periodic box (4 nc^3 atoms, default nc = 10:
! 4000 atoms, at density 0.8442, rc = 2.5, skin 0.5) started as an fcc
! lattice with random velocities at temperature 2 (it settles near 1, above
! melting at this density), integrated with velocity Verlet, dt = 0.005; the
! neighbour list is rebuilt every 8 steps (see lj_md in lj.f90).
!   md [SCALE [NC]]   steps = 80 * SCALE
! Prints "md.etot: check=<total energy per atom>", "md.fsq: check=<mean
! squared force>" and "md.virial: check=<virial per atom>" after the last
! step; details go to stderr.  The run is short (0.4 time units at SCALE 1),
! so the chaotic growth of rounding differences stays far below the 1e-9
! that check-outputs.py allows (builds differ by ~1e-14 at SCALE 1, ~1e-13
! at SCALE 3).  As a self-test, the program stops with status 1 if an atom
! moved more than skin/2 between two builds (the list could have missed
! pairs) or the total energy changed by more than 0.01 per atom (velocity
! Verlet keeps it within ~2e-3 while the lattice melts, ~3e-4 after).
program md
  use lj_md
  implicit none
  integer, parameter :: every = 8
  real(dp), parameter :: dt = 0.005_dp, rho = 0.8442_dp, temp = 2.0_dp
  type(system_t) :: s
  integer :: nc, steps, st
  real(dp) :: scale, epot, virial, e0, e1, fsq, maxdisp
  character(len=64) :: arg

  scale = 1
  nc = 10
  if (command_argument_count() >= 1) then
    call get_command_argument(1, arg)
    read (arg, *) scale
  end if
  if (command_argument_count() >= 2) then
    call get_command_argument(2, arg)
    read (arg, *) nc
  end if
  if (.not. (scale > 0) .or. nc < 3) then
    write (0, '(a)') 'usage: md [SCALE>0 [NC>=3]]'
    stop 2
  end if
  steps = max(1, nint(80 * scale))

  call fcc_lattice(s, nc, rho)
  call init_velocities(s, temp, 12345)
  call build_neighbours(s)
  call compute_forces(s, epot, virial)
  e0 = (epot + kinetic_energy(s)) / s%n
  maxdisp = 0

  do st = 1, steps
    block
      integer :: i
      do concurrent (i = 1:s%n)
        s%vx(i) = s%vx(i) + 0.5_dp * dt * s%fx(i)
        s%vy(i) = s%vy(i) + 0.5_dp * dt * s%fy(i)
        s%vz(i) = s%vz(i) + 0.5_dp * dt * s%fz(i)
        s%x(i) = s%x(i) + dt * s%vx(i)
        s%y(i) = s%y(i) + dt * s%vy(i)
        s%z(i) = s%z(i) + dt * s%vz(i)
      end do
      if (mod(st, every) == 0) then
        maxdisp = max(maxdisp, max_displacement(s))
        call build_neighbours(s)
      end if
      call compute_forces(s, epot, virial)
      do concurrent (i = 1:s%n)
        s%vx(i) = s%vx(i) + 0.5_dp * dt * s%fx(i)
        s%vy(i) = s%vy(i) + 0.5_dp * dt * s%fy(i)
        s%vz(i) = s%vz(i) + 0.5_dp * dt * s%fz(i)
      end do
    end block
  end do
  maxdisp = max(maxdisp, max_displacement(s))

  e1 = (epot + kinetic_energy(s)) / s%n
  fsq = sum(s%fx**2 + s%fy**2 + s%fz**2) / s%n
  write (*, '(a, a)') 'md.etot: check=', fmt_e(e1)
  write (*, '(a, a)') 'md.fsq: check=', fmt_e(fsq)
  write (*, '(a, a)') 'md.virial: check=', fmt_e(virial / s%n)
  write (0, '(a, i0, a, i0, a, i0, a, f0.4, a, es9.2, a, f0.3, a, f0.3)') 'md: atoms=', s%n, &
    ' steps=', steps, ' builds=', s%builds, ' T=', 2 * kinetic_energy(s) / (3 * (s%n - 1)), &
    ' energy drift/atom=', e1 - e0, ' max displacement/skin=', maxdisp / s%skin, &
    ' neighbours/atom=', real(s%nstart(s%n + 1) - 1, dp) / s%n
  if (maxdisp > 0.5_dp * s%skin) error stop 'md: an atom moved more than skin/2 between builds'
  if (abs(e1 - e0) > 1e-2_dp) error stop 'md: energy not conserved'
end program md
