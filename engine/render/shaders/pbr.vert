#version 330
// Sets and props: Gouraud PBR-lite (Lambert + normalised Blinn-Phong), computed per vertex.
uniform mat4 p3d_ModelViewProjectionMatrix;
uniform mat4 p3d_ModelViewMatrix;
uniform mat3 p3d_NormalMatrix;
uniform mat4 u_light_dir;
uniform mat4 u_light_col;
uniform vec3 u_sky;
uniform vec3 u_ground;
uniform vec3 u_up;
uniform float u_roughness;
uniform float u_metallic;
uniform vec4 u_base;
in vec4 p3d_Vertex;
in vec3 p3d_Normal;
in vec2 p3d_MultiTexCoord0;
in vec4 p3d_Color;
out vec3 v_diffuse;   // light reaching the diffuse albedo
out vec3 v_specular;  // reflected light, already coloured
out vec2 v_uv;
out vec4 v_color;
void main() {
    gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex;
    vec3 pos = (p3d_ModelViewMatrix * p3d_Vertex).xyz;
    vec3 n = normalize(p3d_NormalMatrix * p3d_Normal);
    vec3 v = normalize(-pos);
    float shininess = 2.0 / max(u_roughness * u_roughness, 0.01) - 2.0;
    vec3 f0 = mix(vec3(0.04), u_base.rgb, u_metallic);
    vec3 ambient = mix(u_ground, u_sky, dot(n, u_up) * 0.5 + 0.5);
    vec3 diffuse = ambient;
    vec3 specular = f0 * ambient * 0.5;
    for (int i = 0; i < 4; ++i) {
        vec3 l = u_light_dir[i].xyz;
        float ndl = max(dot(n, l), 0.0);
        vec3 h = normalize(l + v);
        float spec = pow(max(dot(n, h), 0.0), shininess) * (shininess + 8.0) / 25.0;
        diffuse += u_light_col[i].rgb * ndl;
        specular += u_light_col[i].rgb * ndl * f0 * spec;
    }
    v_diffuse = diffuse * (1.0 - u_metallic);
    v_specular = specular;
    v_uv = p3d_MultiTexCoord0;
    v_color = p3d_Color;
}
