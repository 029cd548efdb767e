/** Configuration: YAML loading with source positions, the JSON Schema check, the merged model, secret references, and the semantic rules (references, ports, certificates, bindings, policies). */
package cem.config;
