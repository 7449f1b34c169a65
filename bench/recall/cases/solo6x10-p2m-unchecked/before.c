int solo_p2m_dma(struct solo_dev *solo_dev, int wr,
		 void *sys_addr, u32 ext_addr, u32 size,
		 int repeat, u32 ext_size)
{
	dma_addr_t dma_addr;
	int ret;

	if (WARN_ON_ONCE((unsigned long)sys_addr & 0x03))
		return -EINVAL;
	if (WARN_ON_ONCE(!size))
		return -EINVAL;

	dma_addr = dma_map_single(&solo_dev->pdev->dev, sys_addr, size,
				  wr ? DMA_TO_DEVICE : DMA_FROM_DEVICE);

	ret = solo_p2m_dma_t(solo_dev, wr, dma_addr, ext_addr, size,
			     repeat, ext_size);

	dma_unmap_single(&solo_dev->pdev->dev, dma_addr, size,
			 wr ? DMA_TO_DEVICE : DMA_FROM_DEVICE);

	return ret;
}
