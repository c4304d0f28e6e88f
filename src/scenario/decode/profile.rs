//! Decoding of runtime profiles (R-RUNTIME-*): a scenario's `runtime` field
//! and profile files written by `simbench calibrate`
//! (`simbench.runtime/v1`).
//!
//! Invariants: every constant is checked for its unit (a duration or a size
//! in bytes), each problem at its own path; a profile file names every
//! constant and has the right format; a `runtime` naming a file is returned
//! pending (the file is read by `parse`, relative to the scenario), with its
//! overrides kept to apply over it.

use super::{Anchor, Decoder, Fields, Node};
use crate::scenario::runtime::{self, Runtime};
use crate::scenario::suggest::closest;
use crate::time::SimDuration;
use serde_json::Value;

/// The fields of a profile file.
pub(super) const PROFILE_FIELDS: &[&str] = &["format", "name", "constants", "measured_with"];
/// The field of a `runtime` object naming the profile it overrides.
pub(super) const RUNTIME_PROFILE: &str = "profile";

const PROFILE_FORMAT_HINT: &str = "the profile format, \"simbench.runtime/v1\"";

impl Decoder {
    /// `"ideal"`, `"cpython"`, a profile file's path, or an object
    /// `{"profile": …, "<constant>": …}` overriding single constants.
    pub(super) fn runtime(&mut self, node: &Node) -> Option<Runtime> {
        const EXPECTED: &str = "a runtime profile: \"ideal\", \"cpython\", a profile file's path, or an object such as {\"profile\": \"cpython\", \"task_create\": \"7us\"}";
        match node.value {
            Value::String(name) => self.runtime_base(node, name, Vec::new()),
            Value::Object(_) => {
                let mut allowed: Vec<&str> = vec![RUNTIME_PROFILE];
                allowed.extend(runtime::CONSTANTS.iter().map(|c| c.name));
                let fields = self.object(node, &allowed, EXPECTED)?;
                let overrides = self.runtime_constants(&fields, false)?;
                let ideal = Runtime::ideal().with_overrides(&overrides);
                self.optional(&fields, RUNTIME_PROFILE, ideal, |d, p| match p.value {
                    Value::String(name) => d.runtime_base(p, name, overrides),
                    _ => d.wrong(p, "a profile name (\"ideal\", \"cpython\") or a profile file's path"),
                })
            }
            _ => self.wrong(node, EXPECTED),
        }
    }

    /// A built-in profile, or a pending profile file, with `overrides`.
    fn runtime_base(&mut self, node: &Node, name: &str, overrides: Vec<(usize, u64)>) -> Option<Runtime> {
        if let Some(base) = Runtime::built_in(name) {
            return Some(base.with_overrides(&overrides));
        }
        // The path is shown in reports as the runtime's name.
        if !self.safe_text(node, Anchor::Value, name, false) {
            return None;
        }
        let looks_like_file = name.contains('/') || name.contains('.') || name.contains('\\');
        if !looks_like_file {
            let hint = match closest(name, runtime::BUILT_IN) {
                Some(guess) => format!("did you mean \"{guess}\"? (a profile file's path contains a '.' or a '/')"),
                None => "use \"ideal\", \"cpython\", or the path of a file written by `simbench calibrate`".into(),
            };
            self.problem(node, Anchor::Value, format!("unknown runtime profile \"{name}\""), Some(hint));
            return None;
        }
        Some(Runtime {
            name: name.to_string(),
            values: Runtime::ideal().values,
            pending: Some(runtime::PendingProfile { file: name.to_string(), overrides }),
        })
    }

    /// The constants present in `fields`, each checked for its unit. With
    /// `all`, every constant must be there (a profile file).
    fn runtime_constants(&mut self, fields: &Fields, all: bool) -> Option<Vec<(usize, u64)>> {
        let mut out = Vec::new();
        let mut ok = true;
        for (i, constant) in runtime::CONSTANTS.iter().enumerate() {
            let node = match fields.get(constant.name) {
                Some(n) => n,
                None if all && !constant.optional => {
                    ok &= self.required(fields, constant.name, constant.meaning).is_some();
                    continue;
                }
                None => continue,
            };
            let value = match constant.unit {
                runtime::Unit::Duration => self.duration(&node).map(SimDuration::as_nanos),
                runtime::Unit::Bytes => self.bytes(&node),
            };
            match value {
                Some(v) => out.push((i, v)),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A profile file: `{"format": "simbench.runtime/v1", "name": …,
    /// "constants": {…every constant…}, "measured_with": {…}}`.
    pub(super) fn profile_file(&mut self, root: &Node) -> Option<Runtime> {
        let top = self.document(root, PROFILE_FIELDS, "a runtime profile object")?;
        let format = self.required(&top, "format", PROFILE_FORMAT_HINT);
        if let Some(f) = &format
            && f.value.as_str() != Some(runtime::PROFILE_FORMAT)
        {
            return self.wrong_hint(
                f,
                &format!("\"{}\"", runtime::PROFILE_FORMAT),
                "this simbench reads profile files written by `simbench calibrate`; run it again",
            );
        }
        let name = self.optional(&top, "name", String::new(), |d, n| d.name(n).map(str::to_string));
        let constants = self.required(&top, "constants", "the profile's constants")?;
        let allowed: Vec<&str> = runtime::CONSTANTS.iter().map(|c| c.name).collect();
        let fields = self.object(&constants, &allowed, "an object of the profile's constants")?;
        let values = self.runtime_constants(&fields, true)?;
        let _ = (format?, name?);
        Some(Runtime { name: String::new(), values: Runtime::ideal().values, pending: None }.with_overrides(&values))
    }
}
