//! Which sites an account may see (the extranet; DESIGN §11): the one rule, used by every page
//! and action about a site. An administrator sees every site; anyone else, the sites of the
//! beneficiaries their spaces stand for (`amoe space link`). A site one may not see is answered
//! as if it did not exist.

use amoe_core::Site;
use amoe_store::Reads;
use amoe_store::sites::SiteReads;
use amoe_store::tickets::{TicketReads, User};

/// The sites `user` may see, by name.
pub fn visible_sites(store: &impl Reads, user: &User) -> anyhow::Result<Vec<Site>> {
    let mut sites = store.sites()?;
    if !user.admin {
        let theirs = store.beneficiaries_of_user(&user.email)?;
        sites.retain(|s| theirs.iter().any(|b| b == s.beneficiary.as_str()));
    }
    sites.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(sites)
}

/// The site `name`, if `user` may see it (`None` for one that does not exist, too).
pub fn visible_site(store: &impl Reads, user: &User, name: &str) -> anyhow::Result<Option<Site>> {
    Ok(visible_sites(store, user)?.into_iter().find(|s| s.name.as_str() == name))
}

/// Whether `user` may purge pages of a site they see: an administrator, or an account with
/// the write right on a project. Read-only accounts and reporters change nothing.
pub fn may_flush(store: &impl Reads, user: &User) -> anyhow::Result<bool> {
    if user.admin {
        return Ok(true);
    }
    let actor = store.actor(user)?;
    Ok(actor.rights.iter().any(|(_, l)| *l == amoe_core::tickets::Level::Write))
}
