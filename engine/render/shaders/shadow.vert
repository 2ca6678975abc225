#version 330
// Shadow catcher: a quad on the floor under an avatar; x, z in -1..1 across the ellipse.
uniform mat4 p3d_ModelViewProjectionMatrix;
in vec4 p3d_Vertex;
in vec2 p3d_MultiTexCoord0;
out vec2 v_q;
void main() {
    gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex;
    v_q = p3d_MultiTexCoord0 * 2.0 - 1.0;
}
