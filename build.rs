//! Generates the gRPC code from `proto/` with protox (pure Rust, no system protoc)
//! and writes the file descriptor set that server reflection and the CLI's JSON output use.
use prost::Message as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fds = protox::compile(["copydesk/v1/copydesk.proto"], ["proto"])?;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    // compile_fds() ignores file_descriptor_set_path(), so the set is written here.
    std::fs::write(out.join("copydesk_descriptor.bin"), fds.encode_to_vec())?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;
    // tonic-prost-build prints no rerun-if-changed; without it proto edits go unnoticed.
    println!("cargo:rerun-if-changed=proto");
    embed_rules(&out)?;
    Ok(())
}

/// Lists `rules/*.toml` (and the role model `rules/roles.tsv`) into `embedded_rules.rs`, so that adding a language is adding a file.
fn embed_rules(out: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "tsv"))
        .collect();
    files.sort();
    let mut code = String::from(
        "/// Every rule file of `rules/`, by file name.\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("rule file name is not UTF-8")?;
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    std::fs::write(out.join("embedded_rules.rs"), code)?;
    println!("cargo:rerun-if-changed=rules");
    Ok(())
}
