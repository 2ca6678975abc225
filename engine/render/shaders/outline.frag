#version 330
// Outline colour: a dark tone of the material, already sRGB.
uniform vec3 u_outline_color;
uniform float u_bgr;
out vec4 o_color;
void main() {
    o_color = vec4(u_bgr > 0.5 ? u_outline_color.bgr : u_outline_color, 1.0);
}
