#version 330
// Backdrop: an image plate (cover-fit), or the gradient the vertex colours carry (sRGB).
#ifdef HAS_TEX
uniform vec4 u_uv_rect;      // offset xy, scale zw of the plate's texture coordinates
uniform sampler2D p3d_Texture0;
uniform float u_bgr;
#endif
in vec2 v_uv;
in vec3 v_color;
out vec4 o_color;
void main() {
#ifdef HAS_TEX
    vec3 colour = texture(p3d_Texture0, u_uv_rect.xy + v_uv * u_uv_rect.zw).rgb;
    o_color = vec4(u_bgr > 0.5 ? colour.bgr : colour, 1.0);
#else
    o_color = vec4(v_color, 1.0);
#endif
}
