"""The recall read aloud in Mandarin by espeak-ng (written to a WAV file here: no speaker)."""

import wave

from kiosk.speech import Speaker


def test_recall_spoken_in_mandarin(need_espeak, tmp_path):
    speaker = Speaker(wav_dir=str(tmp_path))
    assert speaker.command("召回")[:3] == ["espeak-ng", "-v", "cmn"]
    assert speaker.say("请注意。该批次正在一级召回，请立即停止食用。")
    speaker.wait()
    with wave.open(str(tmp_path / "speech-0000.wav")) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert 2 < seconds < 15


def test_speech_switched_off_or_missing_stays_silent(tmp_path):
    assert not Speaker(enabled=False).say("召回")
    assert not Speaker(program="no-such-espeak").say("召回")
    assert not Speaker().say("")
