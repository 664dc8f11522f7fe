//! Any bytes as an e-mail handed to `amoe ticket import-mail`: reading it (sender, ids,
//! subject, text, attachments) and making a ticket title of its subject must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = amoe_core::mail::read(data) {
        let _ = amoe_core::mail::subject_tag(&m.subject);
        let title = amoe_core::mail::title_of(&m.subject);
        assert!(!title.is_empty() && title.chars().count() <= 200);
        assert!(m.sender.contains('@'));
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = amoe_core::mail::subject_tag(s);
        let _ = amoe_core::mail::title_of(s);
    }
});
