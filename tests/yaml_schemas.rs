//! The JSON Schemas of the YAML formats (`schemas/policy-v1.schema.json`,
//! `schemas/config.schema.json`) are valid, say the same keys as the readers in `src/`, accept the
//! examples portlint accepts, and refuse what portlint refuses.

use portlint::config;
use portlint::frontend::policy;
use portlint::registry::Registry;
use portlint::source::FileId;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema(name: &str) -> serde_json::Value {
    let path = root().join("schemas").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("schema")).expect("schema JSON")
}

fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::validator_for(&schema(name))
        .unwrap_or_else(|e| panic!("{name} is not a valid JSON Schema: {e}"))
}

/// The YAML text as JSON, read by portlint's own YAML module.
fn yaml_as_json(text: &str) -> serde_json::Value {
    portlint::yaml::to_json(
        text,
        &portlint::yaml::parse(text).expect("well-formed YAML"),
    )
}

fn schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    validator
        .iter_errors(&yaml_as_json(text))
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// The keys a schema object allows.
fn keys(object: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = object["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    keys.sort();
    keys
}

#[test]
fn the_policy_schema_has_the_readers_keys() {
    let schema = schema("policy-v1.schema.json");
    let defs = &schema["$defs"];
    assert_eq!(keys(&schema), sorted(policy::TOP_KEYS), "top level");
    assert_eq!(keys(&defs["role"]), sorted(policy::ROLE_KEYS), "role");
    assert_eq!(
        keys(&defs["service"]),
        sorted(policy::SERVICE_KEYS),
        "service"
    );
    assert_eq!(
        keys(&defs["forbidden"]),
        sorted(policy::FORBIDDEN_KEYS),
        "forbidden"
    );
    assert_eq!(
        keys(&defs["localPorts"]["items"]["oneOf"][1]),
        sorted(policy::LOCAL_PORT_KEYS),
        "local port"
    );
}

#[test]
fn the_config_schema_has_the_readers_keys() {
    let schema = schema("config.schema.json");
    assert_eq!(keys(&schema), sorted(config::KEYS));
    assert_eq!(
        keys(&schema["properties"]["registry"]),
        sorted(config::REGISTRY_KEYS)
    );
    // `registry.local` is read by the same code as a policy's `local-ports`.
    assert_eq!(
        schema["$defs"]["localPorts"]["items"],
        self::schema("policy-v1.schema.json")["$defs"]["localPorts"]["items"]
    );
}

/// Every policy in examples/ and every clean policy fixture.
fn accepted_policies() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for dir in [
        root().join("examples/policy"),
        root().join("tests/fixtures/rules"),
    ] {
        let walk = ignore::WalkBuilder::new(&dir).build();
        for entry in walk.flatten() {
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let example = path.starts_with(root().join("examples")) && name.ends_with(".yaml");
            if (example && !name.starts_with("mistakes")) || name == "clean.yaml" {
                paths.push(path.to_path_buf());
            }
        }
    }
    paths.sort();
    paths
}

#[test]
fn every_example_and_clean_policy_validates_and_reads_without_a_syntax_finding() {
    let validator = validator("policy-v1.schema.json");
    let registry = Registry::embedded();
    let paths = accepted_policies();
    assert!(paths.len() >= 2, "found {paths:?}");
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("policy");
        let errors = schema_errors(&validator, &text);
        if !errors.is_empty() {
            failures.push(format!("{}: schema: {}", path.display(), errors.join("; ")));
        }
        let (policy, found) = policy::read(FileId(0), &text, &registry);
        let refusals: Vec<String> = found
            .iter()
            .filter(|d| matches!(d.rule.code, "PL001" | "PL002" | "PL003" | "PL005"))
            .map(|d| format!("{} {}", d.rule.code, d.message))
            .collect();
        if !refusals.is_empty() || policy.roles.is_empty() {
            failures.push(format!("{}: portlint: {refusals:?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Mistakes both the schema and portlint refuse (an editor with the schema shows what
/// portlint will say).
const REFUSED: &[(&str, &str)] = &[
    ("unknown key", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    servics: []\n"),
    ("`yes` for a boolean", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: ssh\n        ports: [22/tcp]\n        required: yes\n"),
    ("leading zero", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: ssh\n        ports: [0022/tcp]\n"),
    ("bare number", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: ssh\n        ports: [22]\n"),
    ("no protocol", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: ssh\n        ports: [\"22\"]\n"),
    ("unknown protocol", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: ssh\n        ports: [22/tpc]\n"),
    ("no default stance", "portlint-policy: 1\nroles:\n  web:\n    services: []\n"),
    ("a stance misspelt", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: dney\n"),
    ("version 2", "portlint-policy: 2\nroles: {}\n"),
    ("no version", "roles: {}\n"),
    ("`from` on outbound", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: domain\n        direction: outbound\n        ports: [53/udp]\n        from: [any]\n"),
    ("forbidden without a reason", "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    forbidden:\n      - ports: [23/tcp]\n"),
];

/// YAML 1.2 reads a plain `no` or `yes` as text, so the schema (and an editor) accepts it where
/// a word is expected; YAML 1.1 tools read a boolean. portlint refuses the ambiguity and asks
/// for quotes.
#[test]
fn portlint_refuses_yes_and_no_for_words_although_yaml_1_2_reads_text() {
    let registry = Registry::embedded();
    let text = "portlint-policy: 1\nroles:\n  web:\n    default-inbound: deny\n    services:\n      - name: no\n        ports: [22/tcp]\n";
    assert!(schema_errors(&validator("policy-v1.schema.json"), text).is_empty());
    let (_, found) = policy::read(FileId(0), text, &registry);
    assert!(
        found
            .iter()
            .any(|d| d.rule.code == "PL001" && d.message.text().contains("boolean")),
        "{found:?}"
    );
    let (_, found) = config::parse(FileId(0), "services: yes\n", Path::new("."));
    assert!(
        found.iter().any(|d| d.message.text().contains("boolean")),
        "{found:?}"
    );
}

#[test]
fn what_portlint_refuses_the_schema_refuses() {
    let validator = validator("policy-v1.schema.json");
    let registry = Registry::embedded();
    let mut failures = Vec::new();
    for (what, text) in REFUSED {
        if schema_errors(&validator, text).is_empty() {
            failures.push(format!("{what}: the schema accepts it"));
        }
        let (_, found) = policy::read(FileId(0), text, &registry);
        if !found
            .iter()
            .any(|d| matches!(d.rule.code, "PL001" | "PL002"))
        {
            failures.push(format!("{what}: portlint accepts it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_full_configuration_validates_and_reads() {
    let text = "fail-on: error\nselect: [PL101, dynamic-port]\nignore: [PL204]\nseverity:\n  PL101: error\n  unused-definition: warning\nper-file-ignores:\n  \"legacy/*.nft\": [PL101]\ninclude-path: [includes]\nregistry:\n  file: iana.csv\n  local:\n    - 9100/tcp node-exporter\n    - {port: 9187/tcp, name: postgres-exporter}\nservices: ci/services\n";
    let errors = schema_errors(&validator("config.schema.json"), text);
    assert!(errors.is_empty(), "{errors:?}");
    let (config, found) = config::parse(FileId(0), text, Path::new("/repo"));
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(config.local.len(), 2);
    assert_eq!(config.include_path, vec![PathBuf::from("/repo/includes")]);
    // An empty file is the defaults, for both.
    assert!(schema_errors(&validator("config.schema.json"), "").is_empty());
    assert!(config::parse(FileId(0), "", Path::new(".")).1.is_empty());
}

#[test]
fn a_configuration_mistake_is_refused_by_both() {
    let validator = validator("config.schema.json");
    for text in [
        "ignroe: [PL101]\n",
        "fail-on: eror\n",
        "select: PL101\n",
        "severity: {PL101: high}\n",
        "registry: {local: [\"0022/tcp x\"]}\n",
    ] {
        assert!(
            !schema_errors(&validator, text).is_empty(),
            "schema accepts {text:?}"
        );
        let (_, found) = config::parse(FileId(0), text, Path::new("."));
        assert!(!found.is_empty(), "portlint accepts {text:?}");
    }
}

#[test]
fn the_documented_example_is_a_clean_policy() {
    let docs = std::fs::read_to_string(root().join("docs/policy.md")).expect("docs/policy.md");
    let block = docs.split("```yaml\n").nth(1).expect("a yaml block");
    let text = block.split("```").next().expect("the block's end");
    let errors = schema_errors(&validator("policy-v1.schema.json"), text);
    assert!(errors.is_empty(), "{errors:?}");
    let registry = Registry::embedded();
    let (policy, mut found) = policy::read(FileId(0), text, &registry);
    let registry = registry.with_local(&policy.local_ports);
    portlint::check::run_policy(&registry, &policy, &mut found);
    let found: Vec<String> = found
        .iter()
        .map(|d| format!("{} {}", d.rule.code, d.message))
        .collect();
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn the_readme_configuration_reads_and_validates() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let section = readme
        .split("\n## Configuration\n")
        .nth(1)
        .expect("a Configuration section");
    let block = section.split("```yaml\n").nth(1).expect("a yaml block");
    let text = block.split("```").next().expect("the block's end");
    let errors = schema_errors(&validator("config.schema.json"), text);
    assert!(errors.is_empty(), "{errors:?}");
    let (config, found) = config::parse(FileId(0), text, Path::new("."));
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(config.local.len(), 1);
}
