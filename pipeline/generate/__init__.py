"""Generating text from a trained model folder: loading (``model_loading``), int8
(``ctranslate2_engine``), the torch decoder (``decoding``, ``decoder_network``), sampling and the
:class:`~pipeline.generate.generator.Generator` that ties them together."""
