#version 330
// Toon vertex stage: everything soft (fill and other lights, hemisphere ambient in the shade colour,
// rim) is lit per vertex; only the key light's terminator is resolved per pixel in toon.frag.
// llvmpipe pays per pixel and the avatar has ~12k vertices, so this is where the work belongs.
uniform mat4 p3d_ModelViewProjectionMatrix;
uniform mat4 p3d_ModelViewMatrix;
uniform mat3 p3d_NormalMatrix;
uniform mat4 u_light_dir;     // rows: direction towards light (view space), w = ramp half-width; row 0 = key
uniform mat4 u_light_col;     // rows: linear colour * intensity (zero rows for absent lights)
uniform vec3 u_sky;
uniform vec3 u_ground;
uniform vec3 u_up;            // world up in view space
uniform vec4 u_rim;           // rgb rim colour
uniform vec3 u_shade;         // shade colour factor (multiplies the base colour)
uniform vec4 u_base;          // linear base colour factor
uniform float u_bgr;
in vec4 p3d_Vertex;
in vec3 p3d_Normal;
in vec2 p3d_MultiTexCoord0;
in vec4 p3d_Color;
#if defined(HAS_TEX) || defined(HAS_VCOL)
out vec3 v_soft;              // light on the base colour from everything but the key
out vec3 v_rim;               // additive rim light
#else
out vec3 v_dark;              // final sRGB colour where the key does not reach (BGR when u_bgr)
out vec3 v_lit;               // final sRGB colour in the key light
#endif
out float v_ndl;              // key N.L, ramped per pixel
out vec2 v_uv;
out vec4 v_color;
void main() {
    gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex;
    vec3 pos = (p3d_ModelViewMatrix * p3d_Vertex).xyz;
    vec3 n = normalize(p3d_NormalMatrix * p3d_Normal);
    float hemi = dot(n, u_up) * 0.5 + 0.5;
    vec3 soft = u_shade * mix(u_ground, u_sky, hemi);
    for (int i = 1; i < 4; ++i) {
        vec4 l = u_light_dir[i];
        soft += u_light_col[i].rgb * smoothstep(-l.w, l.w, dot(n, l.xyz) - 0.04);
    }
    float rim = 1.0 - clamp(dot(n, normalize(-pos)), 0.0, 1.0);
    rim *= rim;
    vec3 rim_light = u_rim.rgb * (rim * rim) * (0.5 + 0.5 * hemi);
#if defined(HAS_TEX) || defined(HAS_VCOL)
    v_soft = soft;
    v_rim = rim_light;
#else
    // a uniform base colour: both ends of the ramp are final colours, encoded per vertex
    vec3 dark = u_base.rgb * soft + rim_light;
    vec3 lit = dark + u_base.rgb * u_light_col[0].rgb;
    dark = sqrt(clamp(dark / (1.0 + 0.25 * max(dark - 0.8, 0.0)), 0.0, 1.0));
    lit = sqrt(clamp(lit / (1.0 + 0.25 * max(lit - 0.8, 0.0)), 0.0, 1.0));
    v_dark = u_bgr > 0.5 ? dark.bgr : dark;
    v_lit = u_bgr > 0.5 ? lit.bgr : lit;
#endif
    v_ndl = dot(n, u_light_dir[0].xyz);
    v_uv = p3d_MultiTexCoord0;
    v_color = p3d_Color;
}
