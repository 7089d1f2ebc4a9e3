from __future__ import annotations

from paystone.compute.machines import FAMILIES, GpuType, MachineFamily, _describe_ints, families_carrying, find_shape


def test_gpu_carriers_match_compute_engine() -> None:
    for gpu in (GpuType.T4, GpuType.V100, GpuType.P100, GpuType.P4):
        assert families_carrying(gpu) == [MachineFamily.N1]
    assert families_carrying(GpuType.A100) == [MachineFamily.A2]
    assert families_carrying(GpuType.A100_80GB) == [MachineFamily.A2]
    assert families_carrying(GpuType.L4) == [MachineFamily.G2]


def test_predefined_shapes_of_custom_families_lie_within_their_custom_ranges() -> None:
    for family in FAMILIES.values():
        if family.custom is None:
            continue
        for shape in family.shapes:
            per_vcpu = shape.memory_gb / shape.vcpus
            assert family.custom.min_gb_per_vcpu <= per_vcpu <= family.custom.max_gb_per_vcpu, shape


def test_find_shape_and_vcpu_description() -> None:
    assert find_shape(MachineFamily.N1, 96, 360).name == "n1-standard-96"  # type: ignore[union-attr]
    assert find_shape(MachineFamily.E2, 2, 4) is None
    assert _describe_ints([1, *range(2, 97, 2)]) == "1, 2-96 step 2"
    assert _describe_ints([*range(2, 33, 2), *range(36, 129, 4)]) == "2-32 step 2, 36-128 step 4"
