//! One self-contained HTML file from a Markdown report: the Markdown rendered (GitHub tables),
//! every figure inlined as a `data:` URI, a print-friendly style, and a small script that
//! records on `<body>` how many images loaded (`data-images-loaded`, `data-images-total`), so
//! that a headless browser can check the page.

use crate::error::{Error, Result};
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};
use std::collections::HashMap;

const STYLE: &str = "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0;font-size:0.9em;display:block;overflow-x:auto}\
th,td{border:1px solid #ccc;padding:0.25em 0.6em}th{background:#f3f3f3}\
td{text-align:right}td:first-child{text-align:left}\
img{max-width:100%;height:auto;display:block;margin:1em 0}\
code{background:#f6f6f6;padding:0 0.2em}h1,h2{border-bottom:1px solid #ddd}";

const SCRIPT: &str = "window.addEventListener('load',function(){var i=document.images,n=0;\
for(var k=0;k<i.length;k++){if(i[k].complete&&i[k].naturalWidth>0){n++;}}\
document.body.setAttribute('data-images-loaded',n);\
document.body.setAttribute('data-images-total',i.length);});";

/// Base64 (standard alphabet, padded).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The HTML document of `markdown`, whose images (`plots/<name>.png`) are taken from
/// `images` by their path.
pub fn document(title: &str, markdown: &str, images: &HashMap<String, &[u8]>) -> Result<String> {
    let mut missing = None;
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let inlined = match images.get(dest_url.as_ref()) {
                Some(bytes) => format!("data:image/png;base64,{}", base64(bytes)),
                None => {
                    missing.get_or_insert_with(|| dest_url.to_string());
                    dest_url.to_string()
                }
            };
            Event::Start(Tag::Image {
                link_type,
                dest_url: CowStr::from(inlined),
                title,
                id,
            })
        }
        other => other,
    });
    let mut body = String::new();
    html::push_html(&mut body, parser);
    if let Some(path) = missing {
        return Err(Error::encode(
            "the HTML report",
            format!("no image {path} to inline"),
        ));
    }
    let title = title.replace('&', "&amp;").replace('<', "&lt;");
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}<script>{SCRIPT}</script>\n</body>\n</html>\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn images_are_inlined_and_tables_rendered() {
        let images = HashMap::from([("plots/a.png".to_string(), &b"foo"[..])]);
        let page = document(
            "T & <x>",
            "# T\n\n| a | b |\n|---|--:|\n| 1 | — |\n\n![caption](plots/a.png)\n",
            &images,
        )
        .unwrap();
        assert!(page.contains("<title>T &amp; &lt;x></title>"));
        assert!(page.contains("<td>1</td>"));
        assert!(page.contains("src=\"data:image/png;base64,Zm9v\" alt=\"caption\""));
        let error = document("t", "![x](plots/b.png)", &images).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot encode the HTML report: no image plots/b.png to inline"
        );
    }
}
