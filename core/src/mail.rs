//! An incoming e-mail read for the tickets: sender, Message-ID, the ids it answers, subject,
//! text and attachments (RFC 5322 and MIME through mail-parser). Pure: no store, no I/O.

use mail_parser::{MessageParser, MimeHeaders};

/// What the tickets need of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The sender's address, lower case.
    pub sender: String,
    /// Its Message-ID, without `<>`.
    pub message_id: Option<String>,
    /// Message-IDs it answers (`In-Reply-To`, then `References`), without `<>`.
    pub answers: Vec<String>,
    /// The subject, decoded.
    pub subject: String,
    /// The plain text, or the HTML turned into text, trimmed.
    pub text: String,
    /// Attachments: (file name, bytes).
    pub attachments: Vec<(String, Vec<u8>)>,
}

/// Why a message cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    /// Nothing was given.
    #[error("nothing on standard input")]
    Empty,
    /// No parse.
    #[error("it cannot be parsed as an e-mail message")]
    Parse,
    /// No sender.
    #[error("it has no From address")]
    NoSender,
}

/// Reads a raw message.
pub fn read(raw: &[u8]) -> Result<Incoming, Unreadable> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(Unreadable::Empty);
    }
    let msg = MessageParser::default().parse(raw).ok_or(Unreadable::Parse)?;
    let sender = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| a.contains('@'))
        .ok_or(Unreadable::NoSender)?;
    let strip = |s: &str| s.trim().trim_matches(['<', '>']).to_owned();
    let message_id = msg.message_id().map(strip).filter(|m| !m.is_empty());
    let mut answers = Vec::new();
    for h in [msg.in_reply_to(), msg.references()] {
        if let Some(list) = h.as_text_list() {
            answers.extend(list.iter().map(|r| strip(r)).filter(|r| !r.is_empty()));
        }
    }
    let attachments = msg
        .attachments()
        .enumerate()
        .map(|(i, part)| {
            let name = part.attachment_name().map(str::to_owned).unwrap_or_else(|| format!("piece-jointe-{}", i + 1));
            (name, part.contents().to_vec())
        })
        .collect();
    Ok(Incoming {
        sender,
        message_id,
        answers,
        subject: msg.subject().unwrap_or("").to_owned(),
        text: msg.body_text(0).map(|t| t.trim().to_owned()).unwrap_or_default(),
        attachments,
    })
}

/// The `[#N]` tag of a subject.
pub fn subject_tag(subject: &str) -> Option<i64> {
    let start = subject.find("[#")?;
    let rest = &subject[start + 2..];
    let end = rest.find(']')?;
    rest[..end].trim().parse().ok()
}

/// A subject without its reply and forward prefixes and its tag, as a ticket's title.
pub fn title_of(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let cut = ["re:", "fwd:", "fw:", "tr:", "réf:", "aw:"].iter().find(|p| lower.starts_with(*p)).map(|p| p.len());
        match cut {
            // The prefixes are ASCII, so their length in the lower-case copy is theirs in `s`.
            Some(n) if s.is_char_boundary(n) => s = s[n..].trim_start(),
            _ => break,
        }
    }
    let s = match (s.find("[#"), s.find(']')) {
        (Some(a), Some(b)) if b > a => format!("{}{}", &s[..a], &s[b + 1..]),
        _ => s.to_owned(),
    };
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() { "(sans objet)".to_owned() } else { s.chars().take(200).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects() {
        assert_eq!(subject_tag("Re: [#42] Pages en erreur"), Some(42));
        assert_eq!(subject_tag("[#x] no"), None);
        assert_eq!(title_of("RE: TR: [#42]  Pages   en erreur "), "Pages en erreur");
        assert_eq!(title_of("  "), "(sans objet)");
        assert_eq!(title_of("Réf: éé"), "éé");
    }

    #[test]
    fn unreadable_messages() {
        assert_eq!(read(b"  \r\n"), Err(Unreadable::Empty));
        assert_eq!(read(b"\x00\x01garbage"), Err(Unreadable::NoSender));
        let m = read(b"From: A <A@B.example>\r\nSubject: x\r\nIn-Reply-To: <1@b>\r\n\r\nhello\r\n").expect("reads");
        assert_eq!(
            (m.sender.as_str(), m.answers.as_slice(), m.text.as_str()),
            ("a@b.example", &["1@b".to_owned()][..], "hello")
        );
    }
}
