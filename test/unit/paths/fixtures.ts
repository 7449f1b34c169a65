/** Small C functions more than one path test reads. */
import { cFile } from './support';

/** A mapping checked, then leaked by an error return before its unmap. */
export const LEAK_ON_ERROR = cFile(`
static int leak_on_error(struct device *dev, void *buf, size_t len)
{
	dma_addr_t addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);

	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	if (demo_start(dev))
		return -EIO;
	dma_unmap_single(dev, addr, len, DMA_TO_DEVICE);
	return 0;
}`);
