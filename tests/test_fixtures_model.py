from transformers import AutoModelForCausalLM

from tests.fixtures_model import make_tiny_model_dir


def test_tiny_model_folder_loads_with_transformers(tmp_path):
    folder = make_tiny_model_dir(tmp_path / "m")
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert model.config.eos_token_id == 0
    assert (folder / "model.safetensors").exists()
    assert (folder / "aitextgen.tokenizer.json").exists()


def test_tiny_gpt_neo_folder_loads(tmp_path):
    folder = make_tiny_model_dir(tmp_path / "neo", architecture="gpt_neo")
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert model.config.model_type == "gpt_neo"


def test_tiny_tokenizer_has_endoftext_as_id_zero(tmp_path):
    from tokenizers import Tokenizer

    folder = make_tiny_model_dir(tmp_path / "m")
    tokenizer = Tokenizer.from_file(str(folder / "aitextgen.tokenizer.json"))
    assert tokenizer.token_to_id("<|endoftext|>") == 0
