"""The bundled WSDL, parsed once per (file, namespace) per process.

The live WSDL is never loaded: it imports the SOAP-encoding schema, which zeep's hardened settings
refuse (fact sheet 11.2). The bundled contract is the same in both namespaces, so speaking the
CDYNE-era namespace only means swapping the namespace in the bundled text.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import zeep
import zeep.wsdl

from ..resources import wsdl_path
from .reference_data import KNOWN_NAMESPACES, NAMESPACE

# zeep's defaults allow DTDs; a hostile or broken server must not be able to expand entities
# or make us fetch anything.
HARDENED_SETTINGS = zeep.Settings(
    strict=False,  # tolerate extra elements a newer service may add
    forbid_dtd=True,
    forbid_entities=True,
    forbid_external=True,
    xml_huge_tree=False,
)

_documents: dict[tuple[Path, str], zeep.wsdl.Document] = {}
_documents_lock = threading.Lock()


def soap11_binding(namespace: str = NAMESPACE) -> str:
    return f"{{{namespace}}}PhoneNotifySoap"


def _with_namespace(text: str, namespace: str) -> str:
    """The bundled WSDL text in another namespace: the target namespace, the tns prefix and every
    SOAPAction change; the service address does not."""
    if namespace == NAMESPACE:
        return text
    return text.replace(f'"{NAMESPACE}"', f'"{namespace}"').replace(
        f'soapAction="{NAMESPACE}', f'soapAction="{namespace}'
    )


def load_wsdl(path: Path | None = None, namespace: str = NAMESPACE) -> zeep.wsdl.Document:
    """Parse the bundled WSDL in `namespace` once per process; later calls return the same Document."""
    if namespace not in KNOWN_NAMESPACES:
        raise ValueError(f"not a PhoneNotify namespace: {namespace!r}")
    path = (path or wsdl_path()).resolve()
    with _documents_lock:
        document = _documents.get((path, namespace))
        if document is None:
            text = _with_namespace(path.read_text(encoding="utf-8"), namespace)
            loader = zeep.Transport(timeout=5)
            try:
                document = zeep.wsdl.Document(
                    io.BytesIO(text.encode("utf-8")),
                    loader,  # type: ignore[arg-type]  # zeep annotates the class; it takes an instance
                    settings=HARDENED_SETTINGS,
                )
            finally:
                loader.session.close()
            _documents[(path, namespace)] = document
        return document
