//! The explorer: the project's file tree, reading and (atomically) writing files, and the list of
//! recently opened projects.

use std::path::Path;

use crate::dto::{Empty, FileContent, FileKind, FileNode, ReadFileRequest, WriteFileRequest};
use crate::error::{codes, slash_path, ApiError, ApiResult, ErrorKind};
use crate::paths::{atomic_write, confine_file, version_of, TMP_MARKER};
use crate::{blocking, Studio};
use kiln_project::ProjectConfig;

/// The explorer stops listing past this many entries, so a project that holds a data lake
/// stays responsive.
const MAX_TREE_ENTRIES: usize = 20_000;

const RECENT_FILE: &str = "recent_projects.json";
const MAX_RECENT: usize = 12;

/// Folders never shown: build output, the embedded warehouse, dependencies.
pub(crate) fn is_hidden_dir(config: &ProjectConfig, relative: &str) -> bool {
    let first = relative.split('/').next().unwrap_or_default();
    first == config.target_path
        || matches!(first, ".kiln" | ".git" | "dbt_packages" | "node_modules" | "logs")
        || relative.contains(TMP_MARKER)
}

fn under(relative: &str, folders: &[String]) -> bool {
    folders
        .iter()
        .any(|f| relative == f || relative.starts_with(&format!("{f}/")))
}

/// What the explorer shows a file as, from where it lives and its extension.
pub(crate) fn classify(config: &ProjectConfig, root: &Path, relative: &str) -> FileKind {
    let extension = relative
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let is_yaml = extension == "yml" || extension == "yaml";
    match extension.as_str() {
        "sql" if under(relative, &config.test_paths) => {
            if relative.split('/').any(|part| part == "generic") {
                FileKind::Macro
            } else {
                FileKind::Test
            }
        }
        "sql" if under(relative, &config.macro_paths) => FileKind::Macro,
        "sql" if under(relative, &config.analysis_paths) => FileKind::Analysis,
        "sql" if under(relative, &config.model_paths) || under(relative, &config.snapshot_paths) => FileKind::Model,
        "csv" if under(relative, &config.seed_paths) => FileKind::Seed,
        "md" => FileKind::Docs,
        _ if is_yaml && declares_sources(&root.join(relative)) => FileKind::Source,
        _ if is_yaml => FileKind::Yaml,
        _ => FileKind::Other,
    }
}

fn declares_sources(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.lines().any(|line| line.trim_end() == "sources:"))
}

pub(crate) fn tree(config: &ProjectConfig, root: &Path) -> FileNode {
    let mut stack = vec![FileNode {
        name: config.name.clone(),
        path: String::new(),
        kind: FileKind::Dir,
        children: vec![],
    }];
    let hidden_config = config.clone();
    let hidden_root = root.to_path_buf();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(false)
        .ignore(true)
        .parents(false)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let relative = slash_path(entry.path().strip_prefix(&hidden_root).unwrap_or(entry.path()));
            !is_hidden_dir(&hidden_config, &relative)
        })
        .build();
    let mut seen = 0;
    for entry in walker.flatten() {
        let depth = entry.depth();
        if depth == 0 {
            continue;
        }
        seen += 1;
        if seen > MAX_TREE_ENTRIES {
            break;
        }
        while stack.len() > depth {
            close_dir(&mut stack);
        }
        let relative = slash_path(entry.path().strip_prefix(root).unwrap_or(entry.path()));
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir {
            stack.push(FileNode {
                name,
                path: relative,
                kind: FileKind::Dir,
                children: vec![],
            });
        } else if let Some(parent) = stack.last_mut() {
            let kind = classify(config, root, &relative);
            parent.children.push(FileNode {
                name,
                path: relative,
                kind,
                children: vec![],
            });
        }
    }
    while stack.len() > 1 {
        close_dir(&mut stack);
    }
    let mut root_node = stack.pop().unwrap_or(FileNode {
        name: config.name.clone(),
        path: String::new(),
        kind: FileKind::Dir,
        children: vec![],
    });
    sort_tree(&mut root_node);
    root_node
}

fn close_dir(stack: &mut Vec<FileNode>) {
    if let Some(done) = stack.pop() {
        if let Some(parent) = stack.last_mut() {
            parent.children.push(done);
        }
    }
}

fn sort_tree(node: &mut FileNode) {
    node.children
        .sort_by(|a, b| (a.kind != FileKind::Dir, &a.name).cmp(&(b.kind != FileKind::Dir, &b.name)));
    for child in &mut node.children {
        sort_tree(child);
    }
}

pub(crate) fn read(root: &Path, requested: &str) -> ApiResult<FileContent> {
    let (absolute, relative) = confine_file(root, requested)?;
    let bytes = std::fs::read(&absolute).map_err(|e| ApiError::io(&relative, &e))?;
    let version = version_of(&bytes);
    let content = String::from_utf8(bytes).map_err(|_| {
        ApiError::bad_request(format!("{relative} is not UTF-8 text"))
            .in_file(relative.clone())
            .hint("the editor opens text files only")
    })?;
    Ok(FileContent {
        path: relative,
        content,
        version,
    })
}

/// Current version of a file, `None` when it does not exist.
pub(crate) fn current_version(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|bytes| version_of(&bytes))
}

pub(crate) fn conflict(relative: &str) -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        codes::WRITE_CONFLICT,
        format!("{relative} changed on disk since it was opened"),
    )
    .in_file(relative)
    .hint("reload the file to see the other change, or save again without expectedVersion to overwrite it")
}

pub(crate) fn write(root: &Path, request: &WriteFileRequest) -> ApiResult<FileContent> {
    let (absolute, relative) = confine_file(root, &request.path)?;
    if absolute.is_dir() {
        return Err(ApiError::bad_request(format!("{relative} is a folder")).in_file(relative));
    }
    if let Some(expected) = &request.expected_version {
        if current_version(&absolute).as_ref() != Some(expected) {
            return Err(conflict(&relative));
        }
    }
    atomic_write(&absolute, request.content.as_bytes()).map_err(|e| ApiError::io(&relative, &e))?;
    Ok(FileContent {
        path: relative,
        content: request.content.clone(),
        version: version_of(request.content.as_bytes()),
    })
}

pub(crate) fn recent_projects(config_dir: &Path) -> Vec<String> {
    std::fs::read_to_string(config_dir.join(RECENT_FILE))
        .ok()
        .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok())
        .unwrap_or_default()
}

pub(crate) fn remember_project(config_dir: &Path, root: &str) -> std::io::Result<()> {
    let mut list = recent_projects(config_dir);
    list.retain(|p| p != root);
    list.insert(0, root.to_string());
    list.truncate(MAX_RECENT);
    let text = serde_json::to_string_pretty(&list).map_err(std::io::Error::other)?;
    atomic_write(&config_dir.join(RECENT_FILE), text.as_bytes())
}

impl Studio {
    pub async fn file_tree(&self, _request: Empty) -> ApiResult<FileNode> {
        let state = self.project()?;
        blocking(move || Ok(tree(&state.config, &state.root))).await
    }

    pub async fn read_file(&self, request: ReadFileRequest) -> ApiResult<FileContent> {
        let state = self.project()?;
        blocking(move || read(&state.root, &request.path)).await
    }

    /// Saves atomically; with `expectedVersion`, refuses (K1006) when the file changed on disk
    /// in the meantime.
    pub async fn write_file(&self, request: WriteFileRequest) -> ApiResult<FileContent> {
        let state = self.project()?;
        blocking(move || state.change_files(|| write(&state.root, &request))).await
    }
}
