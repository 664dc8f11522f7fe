//! The generated files of the repository: man pages (`man/`), shell completions
//! (`completions/`) and JSON Schemas (`schemas/`), all derived from the code so that they cannot
//! disagree with it. [`generate`] builds them in memory; [`write`] puts them on disk and
//! [`check`] reports every file that differs, is missing or should no longer be there.

pub mod seed;

use anyhow::{Context, Result};
use clap_complete::Shell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The directories this task owns, relative to the workspace root.
pub const DIRS: [&str; 3] = ["man", "completions", "schemas"];

/// Every generated file, by path relative to the workspace root.
pub fn generate() -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut amoe = amoe_cli::command();
    amoe.build();
    man_pages(&amoe, "amoe", &mut files)?;
    let mut agent = amoe_agent::command();
    agent.build();
    man_pages(&agent, "amoe-agent", &mut files)?;
    for (shell, name) in [(Shell::Bash, "amoe.bash"), (Shell::Zsh, "_amoe"), (Shell::Fish, "amoe.fish")] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut amoe_cli::command(), "amoe", &mut buf);
        files.insert(Path::new("completions").join(name), buf);
    }
    let mut schemas = amoe_cli::json_schemas();
    schemas.push(("site-rules.schema.json", amoe_rules::json_schema()));
    schemas.push(("agent-config.schema.json", amoe_agent::config_schema()));
    schemas.push(("api-site.schema.json", schemars::schema_for!(amoe_proto::SiteSpec)));
    schemas.push(("api-status.schema.json", schemars::schema_for!(amoe_proto::Status)));
    schemas.push(("api-flush-request.schema.json", schemars::schema_for!(amoe_proto::FlushRequest)));
    schemas.push(("api-flush-result.schema.json", schemars::schema_for!(amoe_proto::FlushResult)));
    schemas.push(("api-site-stats.schema.json", schemars::schema_for!(amoe_proto::SiteStats)));
    schemas.push(("api-error.schema.json", schemars::schema_for!(amoe_proto::ErrorBody)));
    for (name, schema) in schemas {
        let mut text = serde_json::to_vec_pretty(&schema)?;
        text.push(b'\n');
        files.insert(Path::new("schemas").join(name), text);
    }
    Ok(files)
}

/// The page of `cmd` as `man/<stem>.1`, then one per subcommand (`amoe-site-add.1`).
fn man_pages(cmd: &clap::Command, stem: &str, files: &mut BTreeMap<PathBuf, Vec<u8>>) -> Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone()).title(stem).render(&mut buf).with_context(|| format!("man page {stem}"))?;
    files.insert(Path::new("man").join(format!("{stem}.1")), buf);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        man_pages(sub, &format!("{stem}-{}", sub.get_name()), files)?;
    }
    Ok(())
}

fn on_disk(root: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for dir in DIRS {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        for entry in entries {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let rel = Path::new(dir).join(entry.file_name());
                files.insert(rel, std::fs::read(entry.path())?);
            }
        }
    }
    Ok(files)
}

/// Writes every generated file under `root` and removes stale ones.
pub fn write(root: &Path) -> Result<usize> {
    let wanted = generate()?;
    for (rel, _) in on_disk(root)? {
        if !wanted.contains_key(&rel) {
            std::fs::remove_file(root.join(&rel)).with_context(|| format!("removing {}", rel.display()))?;
        }
    }
    for (rel, bytes) in &wanted {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(wanted.len())
}

/// The problems found: one line per file that is out of date, missing or stale.
pub fn check(root: &Path) -> Result<Vec<String>> {
    let wanted = generate()?;
    let have = on_disk(root)?;
    let mut problems = Vec::new();
    for (rel, bytes) in &wanted {
        match have.get(rel) {
            None => problems.push(format!("missing: {}", rel.display())),
            Some(b) if b != bytes => problems.push(format!("out of date: {}", rel.display())),
            Some(_) => {}
        }
    }
    for rel in have.keys().filter(|r| !wanted.contains_key(*r)) {
        problems.push(format!("stale: {}", rel.display()));
    }
    Ok(problems)
}
