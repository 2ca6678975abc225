#version 330
// MToon-like toon shading: the key light's lit/shade ramp per pixel over the soft lighting from the
// vertex stage, plus rim. Feature variants (HAS_VCOL, HAS_TEX, ALPHA_MASK) are compiled separately:
// llvmpipe evaluates both sides of uniform branches, so a skipped texture fetch must not exist at all.
uniform vec4 u_base;          // linear base colour factor
uniform float u_alpha_cutoff; // used with ALPHA_MASK
#ifdef HAS_TEX
uniform sampler2D p3d_Texture0;
#endif
uniform mat4 u_light_dir;     // row 0: the key light, w = ramp half-width
uniform mat4 u_light_col;
uniform float u_bgr;
#if defined(HAS_TEX) || defined(HAS_VCOL)
in vec3 v_soft;
in vec3 v_rim;
#else
in vec3 v_dark;
in vec3 v_lit;
#endif
in float v_ndl;
in vec2 v_uv;
in vec4 v_color;
out vec4 o_color;

void main() {
    float ndl = gl_FrontFacing ? v_ndl : -v_ndl;
    float width = u_light_dir[0].w;
    float ramp = smoothstep(-width, width, ndl - 0.04);
#if !defined(HAS_TEX) && !defined(HAS_VCOL)
    // the common case (a flat material): a per-pixel ramp between two per-vertex colours
#ifdef ALPHA_MASK
    if (u_base.a < u_alpha_cutoff) discard;
#endif
    o_color = vec4(mix(v_dark, v_lit, ramp), u_base.a);
#else
    vec4 base = u_base;
#ifdef HAS_VCOL
    base *= v_color;
#endif
#ifdef HAS_TEX
    base *= texture(p3d_Texture0, v_uv);
#endif
#ifdef ALPHA_MASK
    if (base.a < u_alpha_cutoff) discard;
#endif
    vec3 colour = base.rgb * (v_soft + u_light_col[0].rgb * ramp) + v_rim;
    colour = colour / (1.0 + 0.25 * max(colour - 0.8, 0.0));  // a soft shoulder, not a hard clip
    vec3 srgb = sqrt(clamp(colour, 0.0, 1.0));  // gamma 2 encode: sqrt is much cheaper than pow here
    o_color = vec4(u_bgr > 0.5 ? srgb.bgr : srgb, base.a);
#endif
}
