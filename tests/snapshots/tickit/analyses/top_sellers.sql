-- Top 10 sellers by earnings, with how many tickets they sold and to how many buyers.

select
    seller_username,
    seller_name,
    seller_state,
    count(distinct buyer_username) as buyers,
    sum(qty_sold) as tickets_sold,
    sum(earnings) as total_earnings
from "main"."fct_sales"
group by seller_username, seller_name, seller_state
order by total_earnings desc
limit 10
