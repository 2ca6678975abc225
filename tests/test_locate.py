"""TOML source positions for keys and values."""

from engine.scene.locate import source_map

TEXT = '''# comment
[scene]
id = "x"  # trailing
tags = ["a",
  "b"]
note = """two
lines"""

[[entity]]
name = "one"
[entity.transform]
position = [0.0, 1.0, 2.0]
inline = { a = 1, b.c = 's' }

[[entity]]
"quoted key" = 3
[entity.camera]
fov_deg = 35
'''


def test_positions_of_keys_values_and_elements():
    m = source_map(TEXT)
    assert m.key(("scene", "id")) == (3, 1)
    assert m.value(("scene", "id")) == (3, 6)
    assert m.value(("scene", "tags", 1)) == (5, 3)
    assert m.key(("entity", 0, "name")) == (10, 1)
    assert m.value(("entity", 0, "transform", "position", 2)) == (12, 23)
    assert m.value(("entity", 0, "transform", "inline", "b", "c")) == (13, 25)
    assert m.key(("entity", 1, "quoted key")) == (16, 1)
    # the multi-line string does not confuse the scanner
    assert m.key(("entity", 1, "camera", "fov_deg")) == (18, 1)


def test_missing_paths_fall_back_to_the_nearest_ancestor():
    m = source_map(TEXT)
    assert m.key(("entity", 1, "camera", "near")) == m.key(("entity", 1, "camera"))
    assert m.key(("nothing",)) == (1, 1)
