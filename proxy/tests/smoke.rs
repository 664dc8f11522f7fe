mod common;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miss_then_hit() {
    let origin = Origin::start(|_, n| resp(200, &[("cache-control", "max-age=60")], &format!("v{n}"))).await;
    let p = Running::start(config(vec![site(&[&origin.url()])])).await;
    let c = Http::default();
    let a = c.get(p.addr, "/x").await;
    assert_eq!((a.cache(), a.text().as_str()), ("MISS", "v1"));
    let b = c.get(p.addr, "/x").await;
    assert_eq!((b.cache(), b.text().as_str()), ("HIT", "v1"));
    assert_eq!(origin.hits(), 1);
}
