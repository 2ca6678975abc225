#version 330
// Floor grid, lit and faded into the backdrop per vertex (the fragment stage only interpolates);
// the far floor takes the backdrop's colour at its screen position, so the horizon disappears.
uniform mat4 p3d_ModelViewProjectionMatrix;
uniform mat4 p3d_ModelViewMatrix;
uniform vec3 u_floor;        // linear floor colour
uniform vec3 u_bottom;       // the backdrop gradient (sRGB)
uniform vec3 u_top;
uniform vec2 u_fade_range;   // start, end distance from the camera (metres)
uniform float u_key;         // key light's lambert term on the floor (colour-averaged)
uniform float u_ambient;
uniform float u_bgr;
in vec4 p3d_Vertex;
out vec3 v_color;
void main() {
    gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex;
    vec3 pos = (p3d_ModelViewMatrix * p3d_Vertex).xyz;
    vec3 srgb = sqrt(clamp(u_floor * (u_ambient + u_key), 0.0, 1.0));
    float fade = smoothstep(u_fade_range.x, u_fade_range.y, length(pos));
    vec2 uv = gl_Position.xy / max(gl_Position.w, 1e-4) * 0.5 + 0.5;
    vec2 c = uv - vec2(0.5, 0.6);
    vec3 backdrop = mix(u_bottom, u_top, clamp(uv.y, 0.0, 1.0)) * (1.0 - 0.4 * dot(c, c));
    srgb = mix(srgb, backdrop, fade);
    v_color = u_bgr > 0.5 ? srgb.bgr : srgb;
}
