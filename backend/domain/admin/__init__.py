"""The administration area's shared plumbing: the admin dependency, field rules, lists, audited records.

The aggregates themselves live in their contexts (agencies and units in ``organizations``, users in
``accounts``, the paper-copy list in ``outgoing``, CSV import in ``admin_import``); this package only
holds what their admin pages have in common.
"""
