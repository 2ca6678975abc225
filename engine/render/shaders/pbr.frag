#version 330
// Sets and props: albedo times the per-vertex lighting, emissive, gamma 2 encode.
uniform vec4 u_base;
uniform vec3 u_emissive;
uniform float u_alpha_cutoff;  // used with ALPHA_MASK
#ifdef HAS_TEX
uniform sampler2D p3d_Texture0;
#endif
uniform float u_bgr;
in vec3 v_diffuse;
in vec3 v_specular;
in vec2 v_uv;
in vec4 v_color;
out vec4 o_color;
void main() {
    vec4 base = u_base;  // feature variants as in toon.frag
#ifdef HAS_VCOL
    base *= v_color;
#endif
#ifdef HAS_TEX
    base *= texture(p3d_Texture0, v_uv);
#endif
#ifdef ALPHA_MASK
    if (base.a < u_alpha_cutoff) discard;
#endif
    vec3 colour = base.rgb * v_diffuse + v_specular + u_emissive;
    colour = colour / (1.0 + 0.25 * max(colour - 0.8, 0.0));
    vec3 srgb = sqrt(clamp(colour, 0.0, 1.0));
    o_color = vec4(u_bgr > 0.5 ? srgb.bgr : srgb, base.a);
}
