fn main() {
    let dir = std::path::Path::new("rules");
    let base: Vec<(String, String)> = ["agencies.toml", "common.toml", "langid.toml"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read_to_string(dir.join(n)).unwrap()))
        .collect();
    let t = std::time::Instant::now();
    copydesk::Rules::from_sources(base.clone()).unwrap();
    println!("base {:?}", t.elapsed());
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let n = p.file_name().unwrap().to_str().unwrap().to_string();
        if base.iter().any(|(b, _)| *b == n) {
            continue;
        }
        let mut v = base.clone();
        v.push((n.clone(), std::fs::read_to_string(&p).unwrap()));
        let t = std::time::Instant::now();
        match copydesk::Rules::from_sources(v) {
            Ok(_) => println!("{n} {:?}", t.elapsed()),
            Err(e) => println!("{n} ERR {e}"),
        }
    }
}
