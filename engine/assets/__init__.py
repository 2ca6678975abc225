"""Assets: glTF 2.0 / VRM avatars in and out, the built-in digital human, an asset cache."""
