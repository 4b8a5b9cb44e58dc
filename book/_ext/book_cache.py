"""Keep the book's execution cache in step with the code and the environment.

myst-nb caches executed chapters with jupyter-cache, whose key is the text of
a chapter's code cells (and their metadata). A chapter that runs
``from grimoire.data import ...`` would therefore keep showing old outputs
after ``grimoire/data.py`` changed, or after TensorFlow was upgraded.

This Sphinx extension closes those gaps, for every chapter that is a notebook:

1. It finds the package modules the chapter's code cells import, directly or
   through other package modules, and tells Sphinx that the chapter depends
   on those files. Sphinx then re-reads the chapter when one of them changes.
2. It appends a hidden, removed cell to the chapter that holds two
   fingerprints: one of those files (and of ``book_cache_extra_files``), one
   of the environment that runs the chapter (the Python version, the version
   of every distribution that ``book_cache_distributions`` need, transitively,
   and the variables named in ``book_cache_variables``). The cell is part of
   jupyter-cache's key, so a change of the code or an upgrade re-executes the
   chapter, while prose edits, a ``touch``, a comment in ``requirements.txt``,
   a new Sphinx extension or a no-op rebuild reuse the cache.
3. The same cell checks, when it runs, that the chapter imported no package
   module the scan did not see (through ``importlib``, or in a cell that does
   not parse): such a chapter fails loudly instead of caching silently.
4. It records a content stamp of every page and of the files it depends on,
   and marks a page outdated when the stamp changes, even if file times did
   not (a copy made with ``cp -p``, ``rsync -a`` or an extracted archive keeps
   old times, which Sphinx alone would trust). The page's stamp is of its text
   as read, so an edit saved while the chapter executes is not missed.

It also records which package modules each chapter imports, and provides the
``used-in`` directive, which the API reference uses to link every module to
the chapters that use it::

    ```{used-in} grimoire.data
    ```

Configuration (in ``conf.py``, with ``book/_ext`` on ``sys.path``)::

    extensions = [..., "book_cache"]
    book_cache_package = "grimoire"          # the package to follow
    book_cache_extra_files = []              # more files in the code key
    book_cache_distributions = ["grimoire", "ipykernel"]  # and what they need
    book_cache_variables = ["KERAS_BACKEND"] # variables in the environment key
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import os
import platform
import re
from pathlib import Path

from docutils import nodes
from numbering import book_order
from sphinx.util.docutils import SphinxDirective

__all__ = [
    "code_cells",
    "imported_modules",
    "package_modules",
    "declared_modules",
    "chapter_dependencies",
    "fingerprint",
    "runtime_distributions",
    "environment_fingerprint",
    "guard_cell",
    "setup",
]

_CODE_CELL = re.compile(
    r"^(?P<fence>`{3,}|~{3,})\{code-cell\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_MARKER = "grimoire-book-cache"


def code_cells(text):
    """Return the sources of the ``{code-cell}`` blocks of a MyST notebook.

    Cell options (``:tags: ...`` lines or a ``---`` YAML block) are dropped.

    Args:
        text: The chapter's MyST Markdown text.

    Returns:
        A list of strings, one per code cell, in order.

    Raises:
        TypeError: If ``text`` is not a string.

    Example:
        >>> page = "```{code-cell} ipython3\\n:tags: [hide-input]\\nx = 1\\n```\\n"
        >>> code_cells(page)
        ['x = 1\\n']
    """
    if not isinstance(text, str):
        raise TypeError(
            f"Expected `text` to be a str. Received: text={type(text).__name__}"
        )
    cells = []
    for match in _CODE_CELL.finditer(text):
        lines = match.group("body").splitlines(keepends=True)
        if lines and lines[0].strip() == "---":
            end = next(
                (i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0
            )
            lines = lines[end + 1 :]
        while lines and re.match(r"^:[\w-]+:", lines[0]):
            lines = lines[1:]
        cells.append("".join(lines))
    return cells


def imported_modules(source, package):
    """Return the modules of ``package`` that a piece of Python source imports.

    IPython magics (lines starting with ``%`` or ``!``) are ignored. For
    ``from package import name`` both ``package`` and ``package.name`` are
    returned; names that are not modules are filtered out later, against the
    package's files.

    Args:
        source: Python source code.
        package: The top-level package name, such as ``"grimoire"``.

    Returns:
        A set of dotted module names.

    Raises:
        TypeError: If ``source`` or ``package`` is not a string.

    Example:
        >>> source = "from grimoire.data import load\\nimport numpy"
        >>> sorted(imported_modules(source, "grimoire"))
        ['grimoire.data', 'grimoire.data.load']
    """
    for name, value in (("source", source), ("package", package)):
        if not isinstance(value, str):
            raise TypeError(
                f"Expected `{name}` to be a str. "
                f"Received: {name}={type(value).__name__}"
            )
    lines = [
        line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
    ]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name == package or name.startswith(package + ".")}


def package_modules(package_dir, package):
    """Map every module of a package to its file and the package modules it imports.

    Relative imports (``from .data import x``) are resolved.

    Args:
        package_dir: The folder holding the package's ``__init__.py``.
        package: The package's import name.

    Returns:
        A dict ``{module name: (path, set of imported module names)}``.

    Raises:
        ValueError: If ``package_dir`` has no ``__init__.py``.

    Example:
        >>> import grimoire, pathlib
        >>> folder = pathlib.Path(grimoire.__file__).parent
        >>> modules = package_modules(folder, "grimoire")
        >>> "grimoire.data" in modules
        True
    """
    package_dir = Path(package_dir)
    if not (package_dir / "__init__.py").is_file():
        raise ValueError(
            f"Expected `package_dir` to be a package folder with an __init__.py. "
            f"Received: package_dir={str(package_dir)!r}"
        )
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        is_init = parts[-1] == "__init__"
        if is_init:
            parts = parts[:-1]
        name = ".".join([package, *parts])
        here = name if is_init else name.rpartition(".")[0]
        source = path.read_text(encoding="utf-8")
        imports = imported_modules(source, package)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                imports.add(target)
                imports.update(f"{target}.{alias.name}" for alias in node.names)
        modules[name] = (path, imports)
    return modules


def declared_modules(text, package_dir, package):
    """Return the package modules a chapter's code imports, transitively.

    Importing ``package.sub`` runs ``package/__init__.py`` too, so parent
    packages are included.

    Args:
        text: The chapter's MyST Markdown text.
        package_dir: The folder holding the package's ``__init__.py``.
        package: The package's import name.

    Returns:
        A set of dotted module names (empty if the chapter imports nothing
        from the package).

    Example:
        >>> import grimoire, pathlib
        >>> folder = pathlib.Path(grimoire.__file__).parent
        >>> cell = "from grimoire.reproducibility import set_seed"
        >>> page = f"```{{code-cell}} ipython3\\n{cell}\\n```\\n"
        >>> modules = declared_modules(page, folder, "grimoire")
        >>> {"grimoire", "grimoire.reproducibility"} <= modules
        True
    """
    modules = package_modules(package_dir, package)
    todo = set()
    for cell in code_cells(text):
        todo |= imported_modules(cell, package)
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in modules:
            continue
        seen.add(name)
        todo |= modules[name][1]
        parent = name.rpartition(".")[0]
        if parent:
            todo.add(parent)
    return seen


def chapter_dependencies(text, package_dir, package):
    """Return the package files a chapter's code depends on, transitively.

    Args:
        text: The chapter's MyST Markdown text.
        package_dir: The folder holding the package's ``__init__.py``.
        package: The package's import name.

    Returns:
        A sorted list of paths (empty if the chapter imports nothing from it).

    Example:
        >>> import grimoire, pathlib
        >>> folder = pathlib.Path(grimoire.__file__).parent
        >>> cell = "from grimoire.reproducibility import set_seed"
        >>> page = f"```{{code-cell}} ipython3\\n{cell}\\n```\\n"
        >>> paths = chapter_dependencies(page, folder, "grimoire")
        >>> names = [path.name for path in paths]
        >>> names[0], "reproducibility.py" in names
        ('__init__.py', True)
    """
    modules = package_modules(package_dir, package)
    names = declared_modules(text, package_dir, package)
    return sorted(modules[name][0] for name in names)


def fingerprint(paths):
    """Return one sha256 over the names and contents of some files.

    Args:
        paths: The files to fingerprint; their order does not matter.

    Returns:
        A hex digest.

    Example:
        >>> fingerprint([]) == hashlib.sha256().hexdigest()
        True
    """
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def runtime_distributions(roots, path=None):
    """Return ``name==version`` of the distributions ``roots`` need, transitively.

    These are what the kernels that execute the chapters can import through
    the book's package (say ``grimoire`` and ``ipykernel``): upgrading any of
    them can change a result, while installing a Sphinx theme cannot.
    Requirements whose environment markers do not hold here, and extras, are
    left out; a requirement that is not installed is skipped.

    Args:
        roots: Names of distributions, such as ``["grimoire", "ipykernel"]``.
        path: Folders to look for distributions in; ``sys.path`` by default.

    Returns:
        A sorted list of lowercase ``name==version`` strings.

    Raises:
        TypeError: If ``roots`` is a string rather than a list of names.

    Example:
        >>> found = runtime_distributions(["grimoire"])
        >>> any(entry.startswith("numpy==") for entry in found)
        True
        >>> any(entry.startswith("sphinx==") for entry in found)
        False
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    if isinstance(roots, str):
        raise TypeError(
            f"Expected `roots` to be a list of names. Received: roots={roots!r}"
        )
    installed = {}
    for dist in importlib.metadata.distributions(
        **({} if path is None else {"path": path})
    ):
        installed.setdefault(canonicalize_name(dist.metadata["Name"] or ""), dist)
    todo = [canonicalize_name(name) for name in roots]
    seen = {}
    while todo:
        name = todo.pop()
        if name in seen or name not in installed:
            continue
        dist = installed[name]
        seen[name] = f"{name}=={dist.version}"
        for line in dist.requires or ():
            requirement = Requirement(line)
            marker = requirement.marker
            if marker is not None and not marker.evaluate({"extra": ""}):
                continue
            todo.append(canonicalize_name(requirement.name))
    return sorted(seen.values())


def environment_fingerprint(roots=(), variables=(), environ=None, path=None):
    """Return one sha256 over the environment that executes the chapters.

    It covers the Python version, the distributions the kernels use with
    their versions (:func:`runtime_distributions` of ``roots``: an upgrade
    changes it, while a comment in a requirements file or a new Sphinx theme
    does not), and the values of ``variables``.

    Args:
        roots: The distributions whose dependency closure runs the chapters.
        variables: Names of environment variables that change results.
        environ: The environment to read; ``os.environ`` by default.
        path: Folders to look for distributions in; ``sys.path`` by default.

    Returns:
        A hex digest.

    Example:
        >>> env = {"KERAS_BACKEND": "jax"}
        >>> a = environment_fingerprint(["numpy"], ["KERAS_BACKEND"], env)
        >>> env["KERAS_BACKEND"] = "torch"
        >>> a == environment_fingerprint(["numpy"], ["KERAS_BACKEND"], env)
        False
    """
    environ = os.environ if environ is None else environ
    parts = [platform.python_implementation(), platform.python_version()]
    parts += runtime_distributions(roots, path)
    parts += [f"{name}={environ.get(name, '')}" for name in sorted(variables)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def guard_cell(code_key, environment_key, modules, package):
    """Return the source of the hidden cell appended to a chapter.

    Its text carries the two fingerprints into jupyter-cache's key; when it
    runs, last, it fails if the chapter imported a module of ``package`` that
    is not among ``modules`` (the ones the scan declared).

    Args:
        code_key: The fingerprint of the package files the chapter uses.
        environment_key: The fingerprint of the environment.
        modules: The declared module names.
        package: The package's import name.

    Returns:
        The cell's source.

    Example:
        >>> source = guard_cell("c0de", "e2v", {"nosuchpackage"}, "nosuchpackage")
        >>> exec(source, {})  # nothing undeclared is imported here
        >>> source.splitlines()[0]
        '# grimoire-book-cache: code c0de, environment e2v'
    """
    declared = sorted(modules)
    return (
        f"# {_MARKER}: code {code_key}, environment {environment_key}\n"
        "import sys as _sys\n\n"
        f"_undeclared = sorted(\n"
        f"    name for name in _sys.modules\n"
        f"    if name.split('.')[0] == {package!r} and name not in {declared!r}\n"
        ")\n"
        "if _undeclared:\n"
        "    raise RuntimeError(\n"
        "        f'This chapter imported {_undeclared}, which the execution cache '\n"
        "        'does not know it uses (an import through importlib, or in a cell '\n"
        "        'that does not parse?). Import them with a plain import statement, '\n"
        "        'so that editing them re-executes this chapter.'\n"
        "    )\n"
        "del _sys, _undeclared\n"
    )


def _is_notebook(text):
    head = text.split("\n---", 1)[0] if text.startswith("---") else ""
    return "jupytext" in head or "file_format: mystnb" in head


def _environment_key(app):
    if not hasattr(app, "_book_cache_environment"):
        app._book_cache_environment = environment_fingerprint(
            app.config.book_cache_distributions, app.config.book_cache_variables
        )
    return app._book_cache_environment


def _on_source_read(app, docname, source):
    text = source[0]
    if not _is_notebook(text) or _MARKER in text:
        return
    package = app.config.book_cache_package
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"book_cache_package={package!r} is not an importable package")
    package_dir = Path(list(spec.submodule_search_locations)[0])
    modules_here = package_modules(package_dir, package)
    declared = declared_modules(text, package_dir, package)
    direct = set()
    for cell in code_cells(text):
        direct |= {
            name for name in imported_modules(cell, package) if name in modules_here
        }
    _used_by(app.env)[docname] = sorted(direct)
    files = sorted(modules_here[name][0] for name in declared)
    files += [Path(app.confdir, p) for p in app.config.book_cache_extra_files]
    for path in files:
        app.env.note_dependency(str(path))
    cell = guard_cell(fingerprint(files), _environment_key(app), declared, package)
    source[0] = (
        text.rstrip("\n")
        + "\n\n```{code-cell} ipython3\n:tags: [remove-cell]\n\n"
        + cell
        + "```\n"
    )


def _stamps(env):
    if not hasattr(env, "book_cache_stamps"):
        env.book_cache_stamps = {}
    return env.book_cache_stamps


#: Each page's text as Sphinx read it, from source-read to doctree-read (one
#: process reads a page from start to end, also under ``-j``).
_READ = {}


def _remember_read(app, docname, source):
    _READ[docname] = source[0]


def _content_stamp(app, docname, text=None):
    """A digest of a page's source, the files it depends on, and the environment.

    ``text`` is the page as it was read; by default, as it is on disk now.
    """
    env = app.env
    page = env.doc2path(docname)
    if text is None:
        try:
            text = Path(page).read_text(encoding="utf-8")
        except OSError:
            text = "<missing>"
    digest = hashlib.sha256(_environment_key(app).encode())
    digest.update(f"{page}\0{text}\0".encode())
    paths = {str(Path(app.srcdir, dep)) for dep in env.dependencies.get(docname, ())}
    for path in sorted(paths - {str(page)}):
        try:
            content = Path(path).read_bytes()
        except OSError:
            content = b"<missing>"
        digest.update(path.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()


def _record_stamp(app, doctree):
    # The page as read, not as it is now: executing a chapter takes minutes,
    # and an edit saved meanwhile must leave the page outdated. (Sphinx 8
    # stamps the time of reading after the parse, so it misses such an edit.)
    docname = app.env.docname
    _stamps(app.env)[docname] = _content_stamp(app, docname, _READ.pop(docname, None))


def _outdated_by_content(app, env, added, changed, removed):
    # Sphinx trusts modification times; a copy that keeps old times would
    # leave a page stale. Compare contents too.
    skip = set(added) | set(changed) | set(removed)
    stamps = _stamps(env)
    return sorted(
        docname
        for docname in env.all_docs
        if docname not in skip and stamps.get(docname) != _content_stamp(app, docname)
    )


def _used_by(env):
    if not hasattr(env, "book_cache_used_by"):
        env.book_cache_used_by = {}
    return env.book_cache_used_by


class used_in(nodes.General, nodes.Element):
    """Placeholder for the list of chapters that import a module."""


class UsedIn(SphinxDirective):
    """``{used-in} grimoire.data``: link the chapters whose code imports a module."""

    required_arguments = 1

    def run(self):
        _used_by(self.env).setdefault("__pages__", set()).add(self.env.docname)
        return [used_in(module=self.arguments[0])]


def _resolve_used_in(app, doctree, fromdocname):
    used_by = _used_by(app.env)
    for node in list(doctree.findall(used_in)):
        module = node["module"]
        chapters = [
            doc
            for doc, modules in used_by.items()
            if doc != "__pages__" and module in modules
        ]
        # In book order, as the table of contents lists them.
        position = {doc: index for index, doc in enumerate(book_order(app.env))}
        chapters.sort(key=lambda doc: (position.get(doc, len(position)), doc))
        paragraph = nodes.paragraph()
        paragraph += nodes.emphasis(
            text="Used in: " if chapters else "Not imported by any chapter yet."
        )
        for index, doc in enumerate(chapters):
            if index:
                paragraph += nodes.Text(", ")
            title = app.env.titles[doc].astext() if doc in app.env.titles else doc
            uri = app.builder.get_relative_uri(fromdocname, doc)
            paragraph += nodes.reference("", title, internal=True, refuri=uri)
        node.replace_self(paragraph)


def _pages_with_used_in(app, env):
    # The lists change when any chapter is re-read: rewrite the pages that show them.
    return sorted(_used_by(env).get("__pages__", set()) & env.found_docs)


def _purge(app, env, docname):
    _stamps(env).pop(docname, None)
    _used_by(env).pop(docname, None)
    _used_by(env).get("__pages__", set()).discard(docname)


def _merge(app, env, docnames, other):
    stamps = _stamps(other)
    _stamps(env).update({doc: stamps[doc] for doc in docnames if doc in stamps})
    theirs = _used_by(other)
    for docname in docnames:
        if docname in theirs:
            _used_by(env)[docname] = theirs[docname]
    pages = {doc for doc in theirs.get("__pages__", set()) if doc in docnames}
    _used_by(env).setdefault("__pages__", set()).update(pages)


def setup(app):
    """Register the extension with Sphinx.

    Args:
        app: The Sphinx application.

    Returns:
        The extension's metadata.

    Example:
        >>> from recording_app import RecordingApp
        >>> app = RecordingApp()
        >>> setup(app)["parallel_read_safe"]
        True
        >>> app.registered("connect")
        ['source-read', 'source-read', 'doctree-read', 'env-get-outdated',
         'doctree-resolved', 'env-get-updated', 'env-purge-doc', 'env-merge-info']
    """
    app.add_config_value("book_cache_package", "grimoire", "env")
    app.add_config_value("book_cache_extra_files", [], "env")
    app.add_config_value("book_cache_variables", [], "env")
    app.add_config_value("book_cache_distributions", [], "env")
    app.connect("source-read", _remember_read, priority=100)
    app.connect("source-read", _on_source_read)
    app.connect("doctree-read", _record_stamp)
    app.connect("env-get-outdated", _outdated_by_content)
    app.add_node(used_in)
    app.add_directive("used-in", UsedIn)
    app.connect("doctree-resolved", _resolve_used_in)
    app.connect("env-get-updated", _pages_with_used_in)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
