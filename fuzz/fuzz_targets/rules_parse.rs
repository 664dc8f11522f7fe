//! Any bytes as a site's rules file: parsing, deciding, explaining and deny checks never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    amoe_rules::fuzz_parse(data);
});
