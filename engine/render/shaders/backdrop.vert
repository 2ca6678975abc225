#version 330
// Full-frame backdrop grid drawn last at the far plane: early depth rejection skips covered pixels.
// The gradient and vignette arrive as vertex colours (sRGB), so the fragment stage only interpolates.
uniform float u_bgr;
in vec4 p3d_Vertex;
in vec4 p3d_Color;
out vec2 v_uv;
out vec3 v_color;
void main() {
    gl_Position = vec4(p3d_Vertex.x, p3d_Vertex.z, 1.0, 1.0);
    v_uv = p3d_Vertex.xz * 0.5 + 0.5;
    v_color = u_bgr > 0.5 ? p3d_Color.bgr : p3d_Color.rgb;
}
