#version 330
// Inverted-hull outline: push vertices along the view-space normal by a near-constant pixel width.
uniform mat4 p3d_ModelViewMatrix;
uniform mat4 p3d_ProjectionMatrix;
uniform mat3 p3d_NormalMatrix;
uniform float u_outline_width; // radians per outline: pixels * (vertical fov / height)
in vec4 p3d_Vertex;
in vec3 p3d_Normal;
void main() {
    vec4 pos = p3d_ModelViewMatrix * p3d_Vertex;
    vec3 n = normalize(p3d_NormalMatrix * p3d_Normal);
    // flatten the push along the view ray so the hull does not poke through the surface ahead
    n = normalize(n - 0.6 * dot(n, normalize(pos.xyz)) * normalize(pos.xyz));
    pos.xyz += n * u_outline_width * length(pos.xyz);
    gl_Position = p3d_ProjectionMatrix * pos;
}
