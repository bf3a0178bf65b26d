"""
The side-by-side benchmark's stand-in GPIO chip for mqtt-io (bench/peer.sh): inputs that stay
low and outputs that only remember their level, with no cost of their own. Installed as
mqtt_io/modules/gpio/sensegate_standin.py in the benchmark's private venv.
"""

from typing import Dict, Optional

from ...types import ConfigType, PinType
from . import GenericGPIO, PinDirection, PinPUD

REQUIREMENTS = ()
CONFIG_SCHEMA: ConfigType = {}


class GPIO(GenericGPIO):
    """Lines held in a dictionary."""

    def setup_module(self) -> None:
        self.levels: Dict[PinType, bool] = {}

    def setup_pin(
        self,
        pin: PinType,
        direction: PinDirection,
        pullup: PinPUD,
        pin_config: ConfigType,
        initial: Optional[str] = None,
    ) -> None:
        self.levels[pin] = initial == "high"

    def set_pin(self, pin: PinType, value: bool) -> None:
        self.levels[pin] = value

    def get_pin(self, pin: PinType) -> bool:
        return self.levels.get(pin, False)
