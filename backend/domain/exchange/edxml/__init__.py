"""edXML (QCVN 102:2016 + SĐ1:2022): value objects, safe parser, builder, code lists and field limits.

* :mod:`.model` -- the package and status-message value objects, :func:`~.model.document_id`;
* :mod:`.parse` -- bytes → model, tolerant of real traffic, refusing with typed :mod:`.errors`;
* :mod:`.build` -- model → unsigned bytes (the signature hook is :func:`~.build.signature_parent`);
* :mod:`.signature` -- the enveloped XML-DSig package signature: prepared for a digest signed elsewhere, verified;
* :mod:`.limits` -- the QCVN 102 length table and the package size cap;
* :mod:`.codes` -- business types, status codes, priorities; :mod:`.dates`, :mod:`.attachments`,
  :mod:`.xmlsafe` -- the wire forms.
"""
