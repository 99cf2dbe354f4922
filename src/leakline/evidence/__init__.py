"""Evidence locker: content-addressed encrypted store, custody chain, signed manifest, export."""

from leakline.evidence.locker import Locker
from leakline.evidence.models import Hold, ObjectInfo, Provenance

__all__ = ["Hold", "Locker", "ObjectInfo", "Provenance"]
