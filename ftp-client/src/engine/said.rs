//! The engine's results as lines ready to print: a tree operation's
//! summary ([`SummaryLine`]), a plan entry by entry (text or JSON lines),
//! a dry run's count. A program chooses where they go (a terminal, a
//! log); the wording is the same as `ftp-cli`'s.

use std::fmt::{self, Write as _};

use super::tree::{Action, Deletion, Reason, RemovePlan, SyncAction, SyncPlan, TreeSummary};
use super::{CleanedUp, Leftover, Retry, display_name};

/// A [`TreeSummary`] in one line: `OP: 3 files, 1200 bytes, 0 failures`,
/// with what else happened (up to date, excluded, skipped, deleted,
/// verified) where it applies. Made by [`TreeSummary::line`] (a copy or
/// move), [`TreeSummary::sync_line`] and [`TreeSummary::removal_line`].
///
/// ```
/// use ftp_client::engine::TreeSummary;
/// let mut summary = TreeSummary::default();
/// summary.files = 3;
/// summary.bytes = 1200;
/// summary.up_to_date = 1;
/// assert_eq!(
///     summary.line("cp -r").to_string(),
///     "cp -r: 3 files, 1200 bytes, 1 up to date, 0 failures"
/// );
/// assert_eq!(
///     summary.line("cp -r").verified(true).to_string(),
///     "cp -r: 3 files, 1200 bytes, 1 up to date, 0 verified, 0 failures"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct SummaryLine<'a> {
    op: &'a str,
    summary: &'a TreeSummary,
    kind: Kind,
    verified: bool,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Copy,
    /// A sync: the plan's excluded entries, and whether it deletes.
    Sync {
        excluded: usize,
        delete: bool,
    },
    Removal,
}

impl TreeSummary {
    /// The summary of a copy or move (`op` names it, such as `"cp -r"`).
    pub fn line<'a>(&'a self, op: &'a str) -> SummaryLine<'a> {
        SummaryLine {
            op,
            summary: self,
            kind: Kind::Copy,
            verified: false,
        }
    }

    /// The summary of a [`SyncPlan`]'s run (`delete`: the sync deletes,
    /// and says how many).
    pub fn sync_line<'a>(&'a self, op: &'a str, plan: &SyncPlan, delete: bool) -> SummaryLine<'a> {
        SummaryLine {
            kind: Kind::Sync {
                excluded: plan.count_reason(Reason::Excluded),
                delete,
            },
            ..self.line(op)
        }
    }

    /// The summary of a [`RemovePlan`]'s run: files and directories
    /// deleted.
    pub fn removal_line<'a>(&'a self, op: &'a str) -> SummaryLine<'a> {
        SummaryLine {
            kind: Kind::Removal,
            ..self.line(op)
        }
    }
}

impl SummaryLine<'_> {
    /// With `verify`, the line says how many copies were checked, and how
    /// many of them by size only (the server has no hash).
    pub fn verified(mut self, verify: bool) -> Self {
        self.verified = verify;
        self
    }
}

impl fmt::Display for SummaryLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (op, s) = (self.op, self.summary);
        let failures = s.failures.len();
        if let Kind::Removal = self.kind {
            return write!(
                f,
                "{op}: {} files and {} directories deleted, {failures} failures",
                s.files, s.directories
            );
        }
        write!(f, "{op}: {} files, {} bytes", s.files, s.bytes)?;
        match self.kind {
            Kind::Sync { excluded, .. } => {
                write!(f, ", {} up to date", s.up_to_date)?;
                if excluded > 0 {
                    write!(f, ", {excluded} excluded")?;
                }
            }
            _ if s.up_to_date > 0 => write!(f, ", {} up to date", s.up_to_date)?,
            _ => {}
        }
        if s.skipped > 0 {
            write!(f, ", {} skipped", s.skipped)?;
        }
        if let Kind::Sync { delete: true, .. } = self.kind {
            write!(f, ", {} deleted", s.deleted)?;
        }
        if self.verified {
            write!(f, ", {} verified", s.verified + s.size_only)?;
            if s.size_only > 0 {
                write!(f, " ({} size only)", s.size_only)?;
            }
        }
        write!(f, ", {failures} failures")
    }
}

impl SyncPlan {
    /// A dry run's one line: what would be copied and deleted, what is up
    /// to date and excluded, and what failed while planning.
    pub fn dry_run_line(&self, op: &str) -> String {
        format!(
            "{op}: dry run, nothing changed: {} to copy, {} to delete, {} up to date, {} excluded, {} failures",
            self.count(Action::Copy),
            self.count(Action::Delete),
            self.up_to_date(),
            self.count_reason(Reason::Excluded),
            self.failures.len(),
        )
    }
}

impl SyncAction {
    /// The entry as a line of a plan for people (`copy a/b.txt
    /// (missing)`, a directory with `/`, the name escaped with
    /// [`display_name`]), for what changes and for what is kept for a
    /// reason worth saying (excluded, or the source's listing incomplete);
    /// `None` for the rest.
    pub fn text_line(&self) -> Option<String> {
        if self.action == Action::Skip
            && !matches!(self.reason, Reason::Excluded | Reason::SourceIncomplete)
        {
            return None;
        }
        let slash = if self.directory { "/" } else { "" };
        Some(format!(
            "{} {}{slash} ({})\n",
            self.action,
            display_name(&self.path),
            self.reason
        ))
    }

    /// The entry as one JSON object and line: `action`, `path`
    /// (`path_hex` too when the path is not UTF-8: its exact bytes),
    /// `reason`, `type` (`file`, `dir`) and, for a file, `size` where
    /// known.
    ///
    /// ```
    /// use ftp_client::engine::{Action, SyncPlan};
    /// # fn show(plan: &SyncPlan) {
    /// for action in &plan.actions {
    ///     print!("{}", action.json_line());
    /// }
    /// # }
    /// ```
    pub fn json_line(&self) -> String {
        let size = self.size.filter(|_| !self.directory);
        json_object(self.action, &self.path, self.reason, self.directory, size)
    }
}

fn json_object(
    action: Action,
    path: &[u8],
    reason: Reason,
    directory: bool,
    size: Option<u64>,
) -> String {
    let mut line = format!("{{\"action\":\"{action}\",\"path\":{}", json_string(path));
    if std::str::from_utf8(path).is_err() {
        let hex: String = path.iter().map(|b| format!("{b:02x}")).collect();
        let _ = write!(line, ",\"path_hex\":\"{hex}\"");
    }
    let kind = if directory { "dir" } else { "file" };
    let _ = write!(
        line,
        ",\"reason\":{},\"type\":\"{kind}\"",
        json_string(reason.as_str().as_bytes())
    );
    if let Some(size) = size {
        let _ = write!(line, ",\"size\":{size}");
    }
    line.push_str("}\n");
    line
}

impl RemovePlan {
    /// A dry run's lines: `would delete file PATH` (or `directory`), one
    /// per deletion in the order they would run, each ending with LF.
    pub fn dry_run_lines(&self) -> impl Iterator<Item = String> + '_ {
        self.deletions.iter().map(Deletion::dry_run_line)
    }

    /// A dry run's last line.
    pub fn dry_run_summary(&self, op: &str) -> String {
        format!(
            "{op}: dry run, nothing deleted, {} failures",
            self.failures.len()
        )
    }
}

impl Deletion {
    /// `would delete file PATH` (or `directory`), the path escaped with
    /// [`display_name`], ending with LF.
    pub fn dry_run_line(&self) -> String {
        let what = if self.directory { "directory" } else { "file" };
        format!("would delete {what} {}\n", display_name(&self.path))
    }
}

/// A retry in words: why the last attempt failed, and when the next one
/// starts (`421 Too many users; retry 1 of 3 in 1.0 s`).
impl fmt::Display for Retry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; retry {} of {} in {:.1} s",
            self.error,
            self.retry,
            self.retries,
            self.delay.as_secs_f64()
        )
    }
}

impl Leftover {
    /// What became of a failed upload's remote file, as a clause for a
    /// message (`the partial upload NAME was deleted from the server`);
    /// `None` when nothing was left, or when it is a resumed upload's
    /// partial file, kept on purpose
    /// ([`CopyError::kept_upload`](super::copy::CopyError::kept_upload)
    /// says that).
    ///
    /// ```
    /// use ftp_client::engine::Leftover;
    /// let deleted = Leftover::Deleted(b"a.txt".to_vec());
    /// assert_eq!(
    ///     deleted.note().as_deref(),
    ///     Some("the partial upload a.txt was deleted from the server")
    /// );
    /// assert_eq!(Leftover::Nothing.note(), None);
    /// ```
    pub fn note(&self) -> Option<String> {
        match self {
            Leftover::Deleted(path) => Some(format!(
                "the partial upload {} was deleted from the server",
                String::from_utf8_lossy(path)
            )),
            Leftover::Stays(path, e) => Some(format!(
                "the partial upload {} could not be deleted: {e}",
                String::from_utf8_lossy(path)
            )),
            Leftover::Nothing | Leftover::Kept(_) => None,
        }
    }
}

impl CleanedUp {
    /// What the clean-up did, as clauses for a message: the partial file
    /// removed, or kept to resume from.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.removed {
            notes.push("the partial file was removed".to_owned());
        }
        if let Some(kept) = &self.kept {
            notes.push(format!(
                "the partial file is kept as {}: run the same command again to resume",
                kept.display()
            ));
        }
        notes
    }
}

/// A JSON string: quotes, backslashes and control characters escaped
/// (RFC 8259 7; U+2028 and U+2029 too, for JavaScript); bytes that are
/// not UTF-8 become U+FFFD.
///
/// ```
/// use ftp_client::engine::json_string;
/// assert_eq!(json_string(b"a\"b\n\xff"), "\"a\\\"b\\n\u{fffd}\"");
/// ```
pub fn json_string(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_escape_every_name() {
        let line = json_object(
            Action::Copy,
            b"a\"b\\c\nd\x01\xff",
            Reason::Missing,
            false,
            Some(3),
        );
        assert_eq!(
            line,
            concat!(
                r#"{"action":"copy","path":"a\"b\\c\nd\u0001�","#,
                r#""path_hex":"6122625c630a6401ff","reason":"missing","type":"file","size":3}"#,
                "\n"
            )
        );
    }

    #[test]
    fn a_retry_says_why_and_when() {
        let retry = Retry {
            what: "RETR a",
            retry: 1,
            retries: 3,
            delay: std::time::Duration::from_millis(1250),
            error: &"421 Too many users",
        };
        assert_eq!(
            retry.to_string(),
            "421 Too many users; retry 1 of 3 in 1.2 s"
        );
    }

    #[test]
    fn summary_lines_say_what_applies() {
        let mut summary = TreeSummary {
            files: 2,
            bytes: 10,
            verified: 1,
            size_only: 1,
            skipped: 1,
            directories: 3,
            ..TreeSummary::default()
        };
        assert_eq!(
            summary.line("mv -r").verified(true).to_string(),
            "mv -r: 2 files, 10 bytes, 1 skipped, 2 verified (1 size only), 0 failures"
        );
        assert_eq!(
            summary.removal_line("rm -r").to_string(),
            "rm -r: 2 files and 3 directories deleted, 0 failures"
        );
        summary.deleted = 4;
        let line = SummaryLine {
            kind: Kind::Sync {
                excluded: 2,
                delete: true,
            },
            ..summary.line("sync")
        };
        assert_eq!(
            line.to_string(),
            "sync: 2 files, 10 bytes, 0 up to date, 2 excluded, 1 skipped, 4 deleted, 0 failures"
        );
    }
}
