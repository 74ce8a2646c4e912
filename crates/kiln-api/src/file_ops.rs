//! Files and folders as objects: the explorer's new file, new folder, rename/move and delete.
//!
//! Every path is confined to the project (K1007 when it escapes), nothing is ever overwritten
//! (K1003 when the destination exists), and each change goes through
//! [`ProjectState::change_files`], as `writeFile` does, so the next tree and graph see it. A model
//! renamed or moved to another model file goes through the visual edit `renameModel`
//! (`edits.rs`), which also rewrites every `ref()` to it and its properties entry.

use std::path::{Path, PathBuf};

use kiln_diagnostics::Code;
use kiln_graph::ResourceType;
use kiln_project::SqlKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::{ApplyEditRequest, CommitEditRequest, FileChangeDto, ResourceTypeDto};
use crate::error::{slash_path, ApiError, ApiResult, ErrorKind};
use crate::paths::confine;
use crate::state::ProjectState;
use crate::{blocking, Studio};

/// A new file (`createFile`), empty unless `content` is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreateFileRequest {
    /// Relative to the project root, e.g. `models/marts/fct_orders.sql`; missing folders are made.
    pub path: String,
    #[serde(default)]
    #[ts(optional)]
    pub content: Option<String>,
}

/// A path in the project: the folder to create (`createFolder`), the file or folder to delete
/// (`deletePath`) or to look up references into (`pathReferences`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathRequest {
    pub path: String,
}

/// Renames or moves a file or folder (`movePath`); `to` is the whole new path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MovePathRequest {
    pub from: String,
    pub to: String,
}

/// One file that now lives elsewhere, so open tabs can follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathMove {
    pub from: String,
    pub to: String,
}

/// What a file operation did, for the explorer and the open tabs to follow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FileOpResponse {
    /// The file or folder created.
    pub created: Vec<String>,
    /// Every file moved (for a folder, each file inside it), old path → new path.
    pub moved: Vec<PathMove>,
    /// Every file deleted (for a folder, each file inside it).
    pub deleted: Vec<String>,
    /// Other files whose text changed: `ref()`s to a renamed model and its properties entry.
    pub rewritten: Vec<String>,
}

/// A model, seed or snapshot that something else selects from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ReferenceDto {
    /// Name of the node defined inside the path.
    pub target: String,
    /// Name and file of the node that refers to it (a model, snapshot, exposure …).
    pub name: String,
    pub path: String,
    pub resource_type: ResourceTypeDto,
}

/// Who refers to the models, seeds and snapshots defined at or under a path (`pathReferences`),
/// asked before deleting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PathReferences {
    /// False when the project does not parse, so references could not be checked.
    pub checked: bool,
    /// Names of the models, seeds and snapshots defined at or under the path.
    pub defines: Vec<String>,
    /// Nodes outside the path that depend on them (tests left out).
    pub referenced_by: Vec<ReferenceDto>,
}

fn not_found(relative: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        Code::Io.as_str(),
        format!("{relative} does not exist"),
    )
    .in_file(relative)
    .hint("reload the file list (it may have been moved or deleted outside the studio)")
}

fn exists_error(relative: &str) -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        Code::DuplicateName.as_str(),
        format!("{relative} already exists"),
    )
    .in_file(relative)
    .hint("pick another name; Kiln never overwrites an existing file or folder")
}

fn exists(path: &Path) -> bool {
    // A dangling symlink still occupies the name.
    std::fs::symlink_metadata(path).is_ok()
}

/// Confines a path that must name something inside the project, not the project folder itself.
fn confine_entry(root: &Path, requested: &str, what: &str) -> ApiResult<(PathBuf, String)> {
    let trimmed = requested.trim();
    if trimmed.is_empty() {
        return Err(ApiError::bad_request(format!("the {what} path is empty"))
            .hint("pass a path relative to the project folder, e.g. models/staging"));
    }
    let (absolute, relative) = confine(root, trimmed.trim_end_matches(['/', '\\']))?;
    if relative.is_empty() {
        return Err(
            ApiError::bad_request(format!("'{requested}' is the project folder itself"))
                .hint("name a file or folder inside the project"),
        );
    }
    if let Some(bad) = relative.split('/').find(|part| {
        part.chars()
            .any(|c| c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
    }) {
        return Err(ApiError::bad_request(format!("'{bad}' is not a portable file name"))
            .in_file(relative.clone())
            .hint("leave out control characters and any of : * ? \" < > |"));
    }
    Ok((absolute, relative))
}

/// A case-only rename on a case-insensitive disk finds "itself" at the destination.
fn same_entry(from: &Path, to: &Path) -> bool {
    let (Ok(a), Ok(b)) = (std::fs::canonicalize(from), std::fs::canonicalize(to)) else {
        return false;
    };
    a == b
}

fn create_parent(absolute: &Path, relative: &str) -> ApiResult<()> {
    if let Some(parent) = absolute.parent() {
        if parent.is_file() {
            return Err(ApiError::bad_request(format!(
                "cannot create {relative}: a file stands where its folder would be"
            ))
            .in_file(relative)
            .hint("pick a path whose folders are folders"));
        }
        std::fs::create_dir_all(parent).map_err(|e| ApiError::io(relative, &e))?;
    }
    Ok(())
}

pub(crate) fn create_file(state: &ProjectState, request: &CreateFileRequest) -> ApiResult<FileOpResponse> {
    if request.path.trim_end().ends_with(['/', '\\']) {
        return Err(
            ApiError::bad_request(format!("'{}' names a folder, not a file", request.path))
                .hint("add a file name, e.g. models/new_model.sql"),
        );
    }
    let (absolute, relative) = confine_entry(&state.root, &request.path, "file")?;
    if exists(&absolute) {
        return Err(exists_error(&relative));
    }
    state.change_files(|| {
        create_parent(&absolute, &relative)?;
        // create_new: a file appearing between the check and here is still never overwritten.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&absolute)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => exists_error(&relative),
                _ => ApiError::io(&relative, &e),
            })?;
        if let Some(content) = &request.content {
            std::io::Write::write_all(&mut file, content.as_bytes()).map_err(|e| ApiError::io(&relative, &e))?;
        }
        Ok(FileOpResponse {
            created: vec![relative.clone()],
            ..FileOpResponse::default()
        })
    })
}

pub(crate) fn create_folder(state: &ProjectState, request: &PathRequest) -> ApiResult<FileOpResponse> {
    let (absolute, relative) = confine_entry(&state.root, &request.path, "folder")?;
    if exists(&absolute) {
        return Err(exists_error(&relative));
    }
    state.change_files(|| {
        create_parent(&absolute, &relative)?;
        std::fs::create_dir(&absolute).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => exists_error(&relative),
            _ => ApiError::io(&relative, &e),
        })?;
        Ok(FileOpResponse {
            created: vec![relative.clone()],
            ..FileOpResponse::default()
        })
    })
}

/// Every file at or under `absolute` (relative to the root, sorted); a file is just itself.
fn files_under(root: &Path, absolute: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(root, &path, out);
            } else {
                out.push(slash_path(path.strip_prefix(root).unwrap_or(&path)));
            }
        }
    }
    let mut out = Vec::new();
    if absolute.is_dir() && !absolute.is_symlink() {
        walk(root, absolute, &mut out);
    } else {
        out.push(slash_path(absolute.strip_prefix(root).unwrap_or(absolute)));
    }
    out.sort();
    out
}

fn stem_and_folder(relative: &str) -> (&str, &str) {
    let (folder, file) = relative.rsplit_once('/').unwrap_or(("", relative));
    (file.strip_suffix(".sql").unwrap_or(file), folder)
}

/// What a move is: a model renamed through the `renameModel` edit, or a plain rename.
enum MovePlan {
    Model {
        from: String,
        to: String,
        new_name: String,
        new_directory: String,
    },
    Plain {
        from: (PathBuf, String),
        to: (PathBuf, String),
    },
}

fn plan_move(state: &ProjectState, request: &MovePathRequest) -> ApiResult<MovePlan> {
    let (from_abs, from) = confine_entry(&state.root, &request.from, "source")?;
    let (to_abs, to) = confine_entry(&state.root, &request.to, "destination")?;
    if !exists(&from_abs) {
        return Err(not_found(&from));
    }
    if from == to {
        return Err(ApiError::bad_request(format!("{from} is already there"))
            .in_file(from)
            .hint("pick a different name or folder"));
    }
    if from_abs.is_dir() && to.starts_with(&format!("{from}/")) {
        return Err(
            ApiError::bad_request(format!("cannot move the folder {from} into itself ({to})"))
                .in_file(from)
                .hint("pick a destination outside the folder"),
        );
    }
    if exists(&to_abs) && !same_entry(&from_abs, &to_abs) {
        return Err(exists_error(&to));
    }
    if from_abs.is_file() && from.ends_with(".sql") && to.ends_with(".sql") {
        // A project that does not load cannot say what refers to what: the file is moved as is.
        if let Ok(project) = state.project() {
            let is_model = project
                .sql_files
                .iter()
                .any(|f| f.kind == SqlKind::Model && slash_path(&f.path) == from);
            let to_model_folder = state
                .config
                .model_paths
                .iter()
                .any(|p| to.starts_with(&format!("{p}/")));
            if is_model && to_model_folder {
                let (new_name, new_directory) = stem_and_folder(&to);
                return Ok(MovePlan::Model {
                    new_name: new_name.to_string(),
                    new_directory: new_directory.to_string(),
                    from,
                    to,
                });
            }
        }
    }
    Ok(MovePlan::Plain {
        from: (from_abs, from),
        to: (to_abs, to),
    })
}

fn plain_move(state: &ProjectState, from: &(PathBuf, String), to: &(PathBuf, String)) -> ApiResult<FileOpResponse> {
    let (from_abs, from_rel) = from;
    let (to_abs, to_rel) = to;
    let files = files_under(&state.root, from_abs);
    state.change_files(|| {
        create_parent(to_abs, to_rel)?;
        // The destination is checked again right before the rename: never overwrite.
        if exists(to_abs) && !same_entry(from_abs, to_abs) {
            return Err(exists_error(to_rel));
        }
        std::fs::rename(from_abs, to_abs).map_err(|e| ApiError::io(from_rel, &e))?;
        let moved = files
            .iter()
            .map(|file| PathMove {
                from: file.clone(),
                to: format!("{to_rel}{}", &file[from_rel.len().min(file.len())..]),
            })
            .collect();
        Ok(FileOpResponse {
            moved,
            ..FileOpResponse::default()
        })
    })
}

fn delete(state: &ProjectState, request: &PathRequest) -> ApiResult<FileOpResponse> {
    let (absolute, relative) = confine_entry(&state.root, &request.path, "file or folder")?;
    if !exists(&absolute) {
        return Err(not_found(&relative));
    }
    if relative == "dbt_project.yml" {
        return Err(
            ApiError::bad_request("dbt_project.yml cannot be deleted from the studio")
                .in_file(relative)
                .hint("the project is defined by it; delete the project folder outside Kiln instead"),
        );
    }
    let files = files_under(&state.root, &absolute);
    state.change_files(|| {
        let removed = if absolute.is_dir() && !absolute.is_symlink() {
            std::fs::remove_dir_all(&absolute)
        } else {
            std::fs::remove_file(&absolute)
        };
        removed.map_err(|e| ApiError::io(&relative, &e))?;
        Ok(FileOpResponse {
            deleted: files,
            ..FileOpResponse::default()
        })
    })
}

fn references(state: &ProjectState, request: &PathRequest) -> ApiResult<PathReferences> {
    let (_, relative) = confine_entry(&state.root, &request.path, "file or folder")?;
    let Ok(manifest) = state.manifest() else {
        return Ok(PathReferences {
            checked: false,
            defines: Vec::new(),
            referenced_by: Vec::new(),
        });
    };
    let inside = |path: &Path| {
        let path = slash_path(path);
        path == relative || path.starts_with(&format!("{relative}/"))
    };
    let defined: Vec<&kiln_compile::Node> = manifest
        .nodes
        .values()
        .filter(|n| {
            matches!(
                n.resource_type,
                ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot
            ) && inside(&n.path)
        })
        .collect();
    let mut referenced_by = Vec::new();
    for node in manifest.nodes.values() {
        if node.resource_type == ResourceType::Test || inside(&node.path) {
            continue;
        }
        for target in defined.iter().filter(|d| node.depends_on.contains(&d.unique_id)) {
            referenced_by.push(ReferenceDto {
                target: target.name.clone(),
                name: node.name.clone(),
                path: slash_path(&node.path),
                resource_type: crate::model::resource_type_dto(node.resource_type),
            });
        }
    }
    referenced_by.sort_by(|a, b| (&a.path, &a.name, &a.target).cmp(&(&b.path, &b.name, &b.target)));
    let mut defines: Vec<String> = defined.iter().map(|n| n.name.clone()).collect();
    defines.sort();
    Ok(PathReferences {
        checked: true,
        defines,
        referenced_by,
    })
}

impl Studio {
    /// Creates a file (empty unless `content` is given) and any missing folders above it;
    /// refuses (K1003) when the path exists.
    pub async fn create_file(&self, request: CreateFileRequest) -> ApiResult<FileOpResponse> {
        let state = self.project()?;
        blocking(move || create_file(&state, &request)).await
    }

    /// Creates a folder (and any missing folders above it); refuses (K1003) when it exists.
    pub async fn create_folder(&self, request: PathRequest) -> ApiResult<FileOpResponse> {
        let state = self.project()?;
        blocking(move || create_folder(&state, &request)).await
    }

    /// Renames or moves a file or folder, never over an existing path. A model moved or renamed to
    /// another model file is renamed the way the `renameModel` edit does it: every `ref()` to it
    /// and its properties entry are rewritten with it.
    pub async fn move_path(&self, request: MovePathRequest) -> ApiResult<FileOpResponse> {
        let state = self.project()?;
        let plan = {
            let state = state.clone();
            blocking(move || plan_move(&state, &request)).await?
        };
        match plan {
            MovePlan::Plain { from, to } => blocking(move || plain_move(&state, &from, &to)).await,
            MovePlan::Model {
                from,
                to,
                new_name,
                new_directory,
            } => {
                let preview = self
                    .apply_edit(ApplyEditRequest::RenameModel {
                        path: from.clone(),
                        new_name,
                        new_directory: Some(new_directory),
                    })
                    .await?;
                let rewritten = preview
                    .changes
                    .iter()
                    .filter(|c: &&FileChangeDto| c.before.is_some() && c.after.is_some())
                    .map(|c| c.path.clone())
                    .collect();
                self.commit_edit(CommitEditRequest {
                    changes: preview.changes,
                })
                .await?;
                Ok(FileOpResponse {
                    moved: vec![PathMove { from, to }],
                    rewritten,
                    ..FileOpResponse::default()
                })
            }
        }
    }

    /// Deletes a file, or a folder with everything in it. The studio asks first (with
    /// `pathReferences`); this does not.
    pub async fn delete_path(&self, request: PathRequest) -> ApiResult<FileOpResponse> {
        let state = self.project()?;
        blocking(move || delete(&state, &request)).await
    }

    /// The nodes outside a file or folder that select from the models, seeds and snapshots in it.
    pub async fn path_references(&self, request: PathRequest) -> ApiResult<PathReferences> {
        let state = self.project()?;
        blocking(move || references(&state, &request)).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_model_path() {
        assert_eq!(stem_and_folder("models/a/b.sql"), ("b", "models/a"));
        assert_eq!(stem_and_folder("b.sql"), ("b", ""));
    }
}
