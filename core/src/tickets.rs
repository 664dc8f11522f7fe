//! Tickets: their vocabulary (types, statuses, priorities, rights) and the one authorization
//! function every ticket read and write goes through ([`allowed`]).
//!
//! Rights (003 §4.1.4.3): an administrator may do anything. Anyone else acts only inside the
//! spaces they belong to (one isolated space per customer structure), and there:
//! - on a project where they have no right, they see and comment only the tickets they
//!   reported;
//! - `read` on a project: every ticket of it, read only (and their own, commented);
//! - `write` on a project: every ticket of it, and they may open, change, assign, link and
//!   attach.
//!
//! A ticket one may not read is reported as not found by the callers, never as forbidden.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal / $fr:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored and typed.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The French label (exports, intervention sheets).
            pub fn label_fr(self) -> &'static str {
                match self { $($name::$variant => $fr),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let s = s.trim().to_ascii_lowercase().replace('_', "-");
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    let all: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("`{s}` is not one of: {}", all.join(", "))
                })
            }
        }
    };
}

vocabulary! {
    /// What a ticket is about (003 §4.1.4.3).
    Kind {
        Assistance = "assistance" / "assistance",
        Evolution = "evolution" / "évolution",
        Correction = "correction" / "correction",
        Incident = "incident" / "incident",
        Request = "request" / "demande",
        Problem = "problem" / "problème",
        Change = "change" / "changement",
        Release = "release" / "mise en production",
    }
}

vocabulary! {
    /// Where a ticket stands.
    Status {
        New = "new" / "nouveau",
        InProgress = "in-progress" / "en cours",
        Waiting = "waiting" / "en attente",
        Resolved = "resolved" / "résolu",
        Closed = "closed" / "clos",
    }
}

vocabulary! {
    /// How urgent.
    Priority {
        Low = "low" / "basse",
        Normal = "normal" / "normale",
        High = "high" / "haute",
        Critical = "critical" / "critique",
    }
}

vocabulary! {
    /// A user's right on a project.
    Level {
        None = "none" / "aucun",
        Read = "read" / "lecture",
        Write = "write" / "écriture",
    }
}

/// What someone wants to do with a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See it (list, show, statistics, exports).
    Read,
    /// Add a comment (or an attachment to one's own ticket).
    Comment,
    /// Open a ticket, change its status, assignee, links; attach.
    Write,
}

/// Who acts, as the authorization needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Their e-mail (account id).
    pub email: String,
    /// Administrator: every right.
    pub admin: bool,
    /// Spaces they belong to.
    pub spaces: Vec<String>,
    /// Their right per project (absent: none).
    pub rights: Vec<(String, Level)>,
}

impl Actor {
    /// Their right on `project`.
    pub fn level(&self, project: &str) -> Level {
        self.rights.iter().find(|(p, _)| p == project).map_or(Level::None, |(_, l)| *l)
    }
}

/// What the authorization needs of a ticket (or of one about to be opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope<'a> {
    /// Project.
    pub project: &'a str,
    /// Space.
    pub space: &'a str,
    /// Reporter's e-mail (for a new ticket: the actor).
    pub reporter: &'a str,
}

/// The one authorization function of tickets.
pub fn allowed(actor: &Actor, scope: Scope<'_>, action: Action) -> bool {
    if actor.admin {
        return true;
    }
    if !actor.spaces.iter().any(|s| s == scope.space) {
        return false;
    }
    let own = actor.email.eq_ignore_ascii_case(scope.reporter);
    match (action, actor.level(scope.project)) {
        (_, Level::Write) => true,
        (Action::Read, Level::Read) => true,
        (Action::Read | Action::Comment, _) => own,
        (Action::Write, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(email: &str, admin: bool, spaces: &[&str], rights: &[(&str, Level)]) -> Actor {
        Actor {
            email: email.into(),
            admin,
            spaces: spaces.iter().map(|s| (*s).to_owned()).collect(),
            rights: rights.iter().map(|(p, l)| ((*p).to_owned(), *l)).collect(),
        }
    }

    #[test]
    fn every_kind_of_user_on_every_project_and_space() {
        let mine = Scope { project: "p", space: "s", reporter: "me@x.fr" };
        let other = Scope { project: "p", space: "s", reporter: "you@x.fr" };
        let elsewhere = Scope { project: "p", space: "t", reporter: "me@x.fr" };
        let other_project = Scope { project: "q", space: "s", reporter: "you@x.fr" };
        use Action::*;
        type Check<'a> = (Scope<'a>, Action, bool);
        let cases: Vec<(Actor, Vec<Check<'_>>)> = vec![
            (actor("root@x.fr", true, &[], &[]), vec![(other, Write, true), (elsewhere, Read, true)]),
            (
                actor("me@x.fr", false, &["s"], &[]),
                vec![
                    (mine, Read, true),
                    (mine, Comment, true),
                    (mine, Write, false),
                    (other, Read, false),
                    (other, Comment, false),
                    (elsewhere, Read, false),
                ],
            ),
            (
                actor("me@x.fr", false, &["s"], &[("p", Level::Read)]),
                vec![
                    (other, Read, true),
                    (other, Comment, false),
                    (mine, Comment, true),
                    (other, Write, false),
                    (other_project, Read, false),
                    (elsewhere, Read, false),
                ],
            ),
            (
                actor("me@x.fr", false, &["s"], &[("p", Level::Write)]),
                vec![
                    (other, Write, true),
                    (other, Comment, true),
                    (other_project, Read, false),
                    (elsewhere, Write, false),
                ],
            ),
            (actor("me@x.fr", false, &[], &[("p", Level::Write)]), vec![(mine, Read, false), (other, Write, false)]),
            (actor("me@x.fr", false, &["s"], &[("p", Level::None)]), vec![(other, Read, false), (mine, Read, true)]),
        ];
        for (who, checks) in cases {
            for (scope, action, expect) in checks {
                assert_eq!(allowed(&who, scope, action), expect, "{who:?} {scope:?} {action:?}");
            }
        }
    }

    #[test]
    fn words_parse_and_refuse() {
        assert_eq!("In_Progress".parse::<Status>(), Ok(Status::InProgress));
        assert_eq!("release".parse::<Kind>().map(Kind::label_fr), Ok("mise en production"));
        assert!("urgent".parse::<Priority>().expect_err("not a priority").contains("low, normal, high, critical"));
    }
}
