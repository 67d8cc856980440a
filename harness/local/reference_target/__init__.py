"""The bundled reference target: a local stand-in for the Webordinary stack (test scaffolding).

It honours the target contract (docs/target-contract.md) over HTTP on 127.0.0.1, keeps its
AWS side in a moto server, and can inject faults (``KNOWN_FAULTS`` in ``harness.config``)
so the scenarios can prove they catch them. See docs/reference-target.md.
"""

from harness.local.reference_target.provision import provision_target_resources
from harness.local.reference_target.target import ReferenceTarget

__all__ = ["ReferenceTarget", "provision_target_resources"]
