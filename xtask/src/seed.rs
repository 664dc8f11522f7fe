//! `cargo xtask seed-store PATH SITES BENEFICIARIES`: a store of the given size for benchmarks
//! (`bench/store/`). Beneficiaries get valid generated SIRETs; each site has two domains, one
//! origin and two of ten hosts.

use amoe_core::{Beneficiary, Category, Host, Siret, Site};
use amoe_store::{AuditDraft, Store};
use anyhow::{Context, Result};
use std::path::Path;

/// The `n`-th generated SIRET: 13 digits from `n`, then the Luhn check digit.
pub fn siret(n: u64) -> Siret {
    let base = format!("9{:012}", n);
    (0..10).find_map(|d| format!("{base}{d}").parse::<Siret>().ok()).expect("one of ten check digits is valid")
}

pub fn seed(path: &Path, sites: usize, beneficiaries: usize) -> Result<()> {
    anyhow::ensure!(!path.exists(), "`{}` exists; seed a new path", path.display());
    anyhow::ensure!(beneficiaries > 0, "at least one beneficiary");
    let (mut store, _) = Store::create(path)?;
    let draft = AuditDraft { operator: "xtask".into(), command: "seed-store".into(), ..Default::default() };
    store
        .mutate(&draft, |tx| -> Result<()> {
            for b in 0..beneficiaries {
                let email = format!("contact{b}@beneficiary{b}.example.fr").parse()?;
                let lot = amoe_core::Lot::new((b % 14) as u8 + 1).context("lot")?;
                tx.add_beneficiary(&Beneficiary::new(
                    siret(b as u64),
                    format!("Beneficiary {b}"),
                    Some(lot),
                    vec![email],
                ))?;
            }
            for h in 0..10 {
                let name = format!("pop{h}").parse()?;
                tx.add_host(&Host { name, address: format!("127.0.0.1:{}", 7443 + h).parse()?, location: None })?;
            }
            for s in 0..sites {
                tx.add_site(&Site {
                    name: format!("site-{s:06}").parse()?,
                    domains: vec![format!("www.site{s}.example.fr").parse()?, format!("site{s}.example.fr").parse()?],
                    beneficiary: siret((s % beneficiaries) as u64),
                    category: Category::Permanent,
                    origins: vec![format!("https://origin.site{s}.example.fr").parse()?],
                    hosts: vec![format!("pop{}", s % 10).parse()?, format!("pop{}", (s + 1) % 10).parse()?],
                    active: s % 7 != 0,
                    settings: Default::default(),
                })?;
            }
            Ok(())
        })
        .with_context(|| format!("seeding `{}`", path.display()))
}

/// `cargo xtask seed-tickets PATH TICKETS EVENTS`: a store of tickets for benchmarks
/// (`bench/tickets/`): an administrator (operator `bench`), a writer on one project (operator
/// `writer`), two projects, two spaces; each ticket has its opening, comments and status
/// changes up to EVENTS in all.
pub fn seed_tickets(path: &Path, tickets: usize, events: usize) -> Result<()> {
    use amoe_core::tickets::{Kind, Level, Priority, Status};
    use amoe_store::tickets::{Project, Ticket, User};
    anyhow::ensure!(!path.exists(), "`{}` exists; seed a new path", path.display());
    let (mut store, _) = Store::create(path)?;
    let draft = AuditDraft { operator: "xtask".into(), command: "seed-tickets".into(), ..Default::default() };
    let per = (events / tickets.max(1)).max(1);
    store
        .mutate(&draft, |tx| -> Result<()> {
            let user = |email: &str, admin: bool, login: &str| User {
                email: email.into(),
                name: email.into(),
                admin,
                see_time: admin,
                operator: Some(login.into()),
            };
            tx.add_user(&user("bench@ops.example", true, "bench"))?;
            tx.add_user(&user("writer@cust.example", false, "writer"))?;
            let sla =
                r#"{"take_charge":{"minutes":60,"clock":"business"},"resolve":{"minutes":1080,"clock":"business"}}"#;
            for p in ["p1", "p2"] {
                tx.add_project(&Project {
                    name: p.into(),
                    label: p.into(),
                    moa: None,
                    moe: None,
                    amoa: None,
                    sla: sla.into(),
                })?;
            }
            for s in ["s1", "s2"] {
                tx.add_space(s, s)?;
            }
            tx.add_member("s1", "writer@cust.example")?;
            tx.grant("writer@cust.example", "p1", Level::Write)?;
            let start = jiff::Timestamp::from_second(1_735_689_600)?; // 2025-01-01
            for i in 0..tickets {
                let opened = start.checked_add(jiff::SignedDuration::from_secs(i as i64 * 317))?;
                let at = |k: usize| -> Result<String> {
                    Ok(opened.checked_add(jiff::SignedDuration::from_secs(k as i64 * 5400))?.to_string())
                };
                let t = Ticket {
                    id: 0,
                    title: format!("Ticket {i}"),
                    kind: Kind::ALL[i % Kind::ALL.len()],
                    status: Status::New,
                    priority: Priority::ALL[i % Priority::ALL.len()],
                    project: if i % 3 == 0 { "p2" } else { "p1" }.into(),
                    space: if i % 5 == 0 { "s2" } else { "s1" }.into(),
                    reporter: "writer@cust.example".into(),
                    assignee: None,
                    site: Some(format!("site-{}", i % 100)),
                    host: None,
                    beneficiary: None,
                    created_at: at(0)?,
                    updated_at: at(0)?,
                };
                let id = tx.insert_ticket(&t, "writer@cust.example", None)?;
                let mut status = Status::New;
                for k in 1..per {
                    let when = at(k)?;
                    match k % 3 {
                        1 => {
                            let next = match status {
                                Status::New => Status::InProgress,
                                Status::InProgress => Status::Waiting,
                                Status::Waiting => Status::InProgress,
                                _ => Status::InProgress,
                            };
                            let next = if k + 2 >= per && i % 4 != 0 { Status::Resolved } else { next };
                            status = next;
                            tx.set_ticket_field(id, "status", Some(next.as_str()))?;
                            tx.add_event(id, &when, "bench@ops.example", "status", Some(next.as_str()), None, None)?;
                        }
                        _ => {
                            tx.add_event(id, &when, "bench@ops.example", "comment", Some("Suivi"), Some(15), None)?;
                        }
                    }
                }
            }
            Ok(())
        })
        .with_context(|| format!("seeding `{}`", path.display()))
}

/// `cargo xtask seed-orders PATH ORDERS LINES`: a store of orders for the CANUT benchmark
/// (`bench/reports/`): 1,000 beneficiaries over the 14 lots, a BPU of 40 lines per lot (half
/// with a reference price), ORDERS orders spread over 2026 with LINES lines in all, and 2,000
/// quotes.
pub fn seed_orders(path: &Path, orders: usize, lines: usize) -> Result<()> {
    use amoe_store::orders::{BpuLine, Order, OrderLine};
    use amoe_store::quotes::Quote;
    anyhow::ensure!(!path.exists(), "`{}` exists; seed a new path", path.display());
    anyhow::ensure!(orders > 0 && lines >= orders, "at least one line per order");
    let (mut store, _) = Store::create(path)?;
    let draft = AuditDraft { operator: "xtask".into(), command: "seed-orders".into(), ..Default::default() };
    const BENEFICIARIES: usize = 1_000;
    const CODES: usize = 40;
    let price = |lot: usize, c: usize| 1_000 + ((lot * 7919 + c * 104_729) % 90_000) as i64;
    store
        .mutate(&draft, |tx| -> Result<()> {
            for b in 0..BENEFICIARIES {
                let lot = amoe_core::Lot::new((b % 14) as u8 + 1).context("lot")?;
                tx.add_beneficiary(&Beneficiary::new(siret(b as u64), format!("Beneficiary {b}"), Some(lot), vec![]))?;
            }
            for lot in 1..=14usize {
                let bpu: Vec<BpuLine> = (0..CODES)
                    .map(|c| BpuLine {
                        lot: lot as u8,
                        code: format!("L{lot}-{c:02}"),
                        label: format!("Price line {c} of lot {lot}"),
                        unit: "unit".into(),
                        price_cents: price(lot, c),
                        reference_cents: c.is_multiple_of(2).then(|| price(lot, c) * 11 / 10),
                    })
                    .collect();
                tx.replace_bpu(lot as u8, &bpu)?;
            }
            let mut left = lines;
            for o in 0..orders {
                let b = o % BENEFICIARIES;
                let lot = b % 14 + 1;
                // Lines spread evenly: what is left over the orders left.
                let n = left / (orders - o);
                left -= n;
                let lines: Vec<OrderLine> = (0..n)
                    .map(|i| {
                        let c = (o * 31 + i * 7) % CODES;
                        let q = 1_000 * (1 + ((o + i) % 20) as i64);
                        OrderLine {
                            code: format!("L{lot}-{c:02}"),
                            label: format!("Price line {c} of lot {lot}"),
                            quantity_milli: q,
                            price_cents: price(lot, c),
                            reference_cents: c.is_multiple_of(2).then(|| price(lot, c) * 11 / 10),
                            amount_cents: amoe_core::money::line_amount(q, price(lot, c)),
                        }
                    })
                    .collect();
                let day =
                    jiff::civil::date(2026, 1, 1).saturating_add(jiff::Span::new().days((o * 365 / orders) as i64));
                tx.add_order(&Order {
                    id: 0,
                    beneficiary: siret(b as u64).to_string(),
                    lot: lot as u8,
                    number: format!("BC-{o:07}"),
                    ordered_on: day.to_string(),
                    note: None,
                    total_cents: lines.iter().map(|l| l.amount_cents).sum(),
                    lines,
                })?;
            }
            for q in 0..2_000usize {
                let day = jiff::civil::date(2026, 1, 2).saturating_add(jiff::Span::new().days((q % 360) as i64));
                tx.add_quote(&Quote {
                    id: 0,
                    beneficiary: siret((q % BENEFICIARIES) as u64).to_string(),
                    requested_at: format!("{day}T09:00:00.000Z"),
                    due_on: day.saturating_add(jiff::Span::new().days(14)).to_string(),
                    sent_at: Some(format!(
                        "{}T09:00:00.000Z",
                        day.saturating_add(jiff::Span::new().days((q % 20) as i64))
                    )),
                    ticket: None,
                    note: None,
                })?;
            }
            Ok(())
        })
        .with_context(|| format!("seeding `{}`", path.display()))
}
