//! A tiny, inert view tree: what Rust wants a UI to show, as data.
//!
//! Views are built in the core (so they are tested natively) and applied to a DOM by the web edge
//! with `createElement`, `setAttribute` and text nodes only, never by parsing HTML. Tags and
//! attribute names are `&'static str` chosen by our code; only attribute *values* and text can
//! carry API or page data, and neither can become markup or script. Event handler attributes
//! (`on…`) are refused outright.

/// A node of the view tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// An element: a static tag, static attribute names with data values, and children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub tag: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub children: Vec<Node>,
}

// The builders below are called from hundreds of places in the views: each generic entry point
// only converts its argument and calls one shared, never-inlined body, so the bundle holds one
// copy of each instead of one per call site.

/// Starts an element; chain [`Element::attr`], [`Element::text`] and [`Element::child`].
#[inline(never)]
pub fn el(tag: &'static str) -> Element {
    Element {
        tag,
        attrs: Vec::new(),
        children: Vec::new(),
    }
}

impl Element {
    /// Sets an attribute. Event-handler names are dropped: views carry no script.
    pub fn attr(self, name: &'static str, value: impl Into<String>) -> Element {
        self.push_attr(name, value.into())
    }

    #[inline(never)]
    fn push_attr(mut self, name: &'static str, value: String) -> Element {
        let handler = name
            .get(..2)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("on"));
        if !handler {
            self.attrs.push((name, value));
        }
        self
    }

    /// Appends a text child.
    pub fn text(self, text: impl Into<String>) -> Element {
        self.push(Node::Text(text.into()))
    }

    /// Appends an element child.
    pub fn child(self, child: Element) -> Element {
        self.push(Node::Element(child))
    }

    #[inline(never)]
    fn push(mut self, node: Node) -> Element {
        self.children.push(node);
        self
    }

    /// Appends many element children.
    pub fn children(mut self, children: impl IntoIterator<Item = Element>) -> Element {
        self.children
            .extend(children.into_iter().map(Node::Element));
        self
    }

    /// The value of an attribute, if set.
    pub fn get_attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All text below this element, in document order, as a screen reader would meet it.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        collect_text(&self.children, &mut out);
        out
    }

    /// This element and every element inside it, depth first (for tests that look at a whole view).
    #[cfg(test)]
    pub fn elements(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for child in &self.children {
            if let Node::Element(e) = child {
                out.extend(e.elements());
            }
        }
        out
    }

    /// Depth-first search for the first element with this `id`-like attribute value.
    pub fn find(&self, attr: &str, value: &str) -> Option<&Element> {
        if self.get_attr(attr) == Some(value) {
            return Some(self);
        }
        self.children.iter().find_map(|c| match c {
            Node::Element(e) => e.find(attr, value),
            Node::Text(_) => None,
        })
    }
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => collect_text(&e.children, out),
        }
    }
}

/// An extension page's header: the icon and a title.
pub fn page_header(title: &str) -> Element {
    el("header").attr("class", "kw-header").children([
        el("img")
            .attr("src", "icons/icon-32.png")
            .attr("width", "24")
            .attr("height", "24")
            .attr("alt", ""),
        el("h1").text(title),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_handler_attributes_are_refused() {
        let e = el("img")
            .attr("onerror", "alert(1)")
            .attr("ONCLICK", "x")
            .attr("alt", "ok");
        assert_eq!(e.attrs, vec![("alt", "ok".to_string())]);
    }

    #[test]
    fn markup_in_text_stays_text() {
        let e = el("p").text("<img src=x onerror=alert(1)>");
        assert_eq!(
            e.children,
            vec![Node::Text("<img src=x onerror=alert(1)>".into())]
        );
        assert_eq!(e.text_content(), "<img src=x onerror=alert(1)>");
    }
}
