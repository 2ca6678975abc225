#version 330
// Soft contact shadow, multiplied onto the floor (blend: destination * source colour).
uniform float u_shadow_strength;
in vec2 v_q;
out vec4 o_color;
void main() {
    float d2 = dot(v_q, v_q) * 1.6;  // the quad is a little larger than the ellipse
    float shadow = 1.0 - u_shadow_strength * (1.0 - smoothstep(0.02, 1.0, d2));
    o_color = vec4(shadow, shadow, shadow, 1.0);
}
